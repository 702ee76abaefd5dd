"""Reading a fetched page: decoding, what kind of page it is (content, challenge, error), a
document's fields, the 信息公开 table, attachments."""
