drop table outbox; drop table signatures; drop table campaigns;
