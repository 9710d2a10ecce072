drop table embed_tokens_used;
