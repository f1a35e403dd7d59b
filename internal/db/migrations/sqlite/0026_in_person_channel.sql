-- Walk-ins and visits get their own channel, "in_person". SQLite cannot
-- alter a CHECK constraint; widening one changes nothing on disk (every
-- stored row already passes the wider check), so the table's definition is
-- edited in place as SQLite's documentation describes for such changes,
-- instead of copying a table of a million tickets.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''social'',''api'')', '''social'',''api'',''in_person'')')
 WHERE type = 'table' AND name = 'tickets';
PRAGMA writable_schema = RESET;
