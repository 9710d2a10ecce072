drop index outbox_first_letter;
