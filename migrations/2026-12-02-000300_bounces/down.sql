drop table bounces;
