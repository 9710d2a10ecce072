drop table replies;
