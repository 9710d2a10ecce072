drop table signature_source_counts;
