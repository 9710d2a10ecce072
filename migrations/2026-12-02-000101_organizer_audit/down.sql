drop table organizer_audit;
