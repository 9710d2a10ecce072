drop table endorsements;
