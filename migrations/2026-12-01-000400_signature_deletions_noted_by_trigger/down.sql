drop trigger if exists signatures_deleted_days_to_recount on signatures;
drop function if exists note_days_of_deleted_signatures();
