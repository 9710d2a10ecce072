drop table api_idempotency_keys;
