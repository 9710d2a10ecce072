ALTER TABLE export_log DROP COLUMN purpose;
DROP TABLE handover_keys;
