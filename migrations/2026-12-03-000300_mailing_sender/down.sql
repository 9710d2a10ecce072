alter table mailings drop column partner_id;
