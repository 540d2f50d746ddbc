-- One journey row per booking and one guest row per guest key, enforced by Postgres.
--
-- Why: n8n's Data table "upsert" is an UPDATE and, when it matched nothing, an INSERT in one
-- transaction (modules/data-table/data-table.service.js upsertRow). On SQLite n8n runs one write
-- transaction at a time, so it is atomic. On Postgres (queue mode: several workers) two executions
-- for the same booking can both update nothing and both insert: two journey rows, whose claims can
-- then drift apart (RELIABILITY.md, bug 6). With these indexes the second INSERT fails; the
-- shipped upsert nodes retry on fail (3 tries, 1 s apart), and the retry updates the row the
-- first one created.
--
-- Run once per n8n database, after the Data tables exist (docs/queue-mode.md):
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f scripts/postgres/resort-unique-keys.sql
-- It is idempotent. If a table already holds duplicates, the CREATE fails and names them:
-- keep one row per key (the oldest, lowest id) and run it again. With DB_TABLE_PREFIX set, put
-- the prefix in front of data_table and data_table_user_ below.
DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT id, name,
           CASE name WHEN 'resort_journeys' THEN 'bookingId' WHEN 'resort_guests' THEN 'guestKey' END AS key_column
    FROM data_table
    WHERE name IN ('resort_journeys', 'resort_guests')
  LOOP
    EXECUTE format('CREATE UNIQUE INDEX IF NOT EXISTS %I ON %I (%I)',
                   'resort_unique_' || t.key_column || '_' || t.id,
                   'data_table_user_' || t.id,
                   t.key_column);
    RAISE NOTICE 'unique % on % (%)', t.key_column, t.name, t.id;
  END LOOP;
END
$$;
