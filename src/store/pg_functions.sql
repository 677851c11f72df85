-- The functions every row-level policy and guard trigger of the shared schema calls (see
-- pg_schema.rs). Each names its tables with their schema and runs with a fixed search_path.
CREATE OR REPLACE FUNCTION public.jobloop_is_me(name text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$ SELECT $1 IS NOT NULL AND $1 OPERATOR(pg_catalog.=) session_user::text $f$;
CREATE OR REPLACE FUNCTION public.jobloop_leads(job text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$ SELECT EXISTS (SELECT 1 FROM public.jobs j
                           WHERE j.id OPERATOR(pg_catalog.=) $1 AND public.jobloop_is_me(j.lead)) $f$;
CREATE OR REPLACE FUNCTION public.jobloop_may_record(lp text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$ SELECT EXISTS (SELECT 1 FROM public.loops l JOIN public.jobs j ON j.id OPERATOR(pg_catalog.=) l.job_id
                           WHERE l.id OPERATOR(pg_catalog.=) $1
                             AND (public.jobloop_is_me(l.owner) OR public.jobloop_is_me(j.lead))) $f$;
-- Parameters are referred to by position: a bare name would mean a column of the same name.
-- Who may append an event of a command about a job (and one of its loops): its lead, the
-- loop's owner, or — for a sign-off only — the named owner of a decision on that loop.
CREATE OR REPLACE FUNCTION public.jobloop_may_append(p_job text, p_kind text, p_command text) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$ SELECT public.jobloop_leads($1) OR ($2 IS NOT NULL AND EXISTS (
               SELECT 1 FROM public.loops l
                WHERE l.job_id OPERATOR(pg_catalog.=) $1 AND l.kind OPERATOR(pg_catalog.=) $2
                  AND (public.jobloop_is_me(l.owner)
                       OR ($3 OPERATOR(pg_catalog.=) 'decide approve' AND EXISTS (
                           SELECT 1 FROM public.decisions d
                            WHERE d.loop_id OPERATOR(pg_catalog.=) l.id AND public.jobloop_is_me(d.owner)))))) $f$;
-- The roles not bound by these rules anyway (row-level security does not apply to them): a
-- superuser and the owner of the tables, who imports and administers.
CREATE OR REPLACE FUNCTION public.jobloop_admin() RETURNS boolean
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$ SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                           WHERE r.rolname OPERATOR(pg_catalog.=) session_user
                             AND (r.rolsuper OR r.oid OPERATOR(pg_catalog.=) (
                                  SELECT c.relowner FROM pg_catalog.pg_class c
                                   WHERE c.oid OPERATOR(pg_catalog.=) 'public.jobs'::pg_catalog.regclass))) $f$;
-- Whether a stored date (YYYY-MM-DD) or UTC time (RFC 3339, as jobloop writes it) is one that
-- exists and that jobloop reads: the shape, then a real conversion (no 31 February, no hour 25)
-- within 1970 to 9999.
CREATE OR REPLACE FUNCTION public.jobloop_is_time(t text) RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $f$
BEGIN
    IF t !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?Z)?$' THEN
        RETURN false;
    END IF;
    RETURN pg_catalog.substr(t, 1, 10)::date BETWEEN '1970-01-01'::date AND '9999-12-31'::date
       AND (pg_catalog.length(t) OPERATOR(pg_catalog.=) 10 OR t::timestamptz IS NOT NULL);
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END $f$;
-- Arguments: the columns an update may change, the columns naming who acted, the columns only
-- the job's lead may change, and `column:actor` for each column whose change names who made it
-- (comma-separated).
CREATE OR REPLACE FUNCTION public.jobloop_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $f$
DECLARE
    changeable text[] := pg_catalog.string_to_array(TG_ARGV[0], ',');
    actors text[] := pg_catalog.string_to_array(TG_ARGV[1], ',');
    lead_only text[] := pg_catalog.string_to_array(TG_ARGV[2], ',');
    vouched text[] := pg_catalog.string_to_array(COALESCE(TG_ARGV[3], ''), ',');
    n jsonb := pg_catalog.to_jsonb(NEW);
    o jsonb;
    c text;
    by_col text;
    found boolean;
    me text := session_user::text;
BEGIN
    IF public.jobloop_admin() THEN
        RETURN NEW;
    END IF;
    -- A write of a record that exists is an upsert (INSERT … ON CONFLICT DO UPDATE): the
    -- insert it proposes is judged as the update it becomes (this trigger again, on UPDATE,
    -- with the row as it was); judged as a new row it would have to name the writer as its
    -- recorder, and no one could change what another recorded.
    IF TG_OP = 'INSERT' AND n ? 'id' THEN
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %I.%I t WHERE t.id OPERATOR(pg_catalog.=) $1)',
                                  TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO found USING n ->> 'id';
        IF found THEN
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        o := pg_catalog.to_jsonb(OLD);
        -- A void stays as it was recorded: no one takes it back or rewrites who voided and why.
        IF (o ->> 'void_at') IS NOT NULL
           AND ((n -> 'void_at') IS DISTINCT FROM (o -> 'void_at')
                OR (n -> 'void_by') IS DISTINCT FROM (o -> 'void_by')
                OR (n -> 'void_reason') IS DISTINCT FROM (o -> 'void_reason')) THEN
            RAISE EXCEPTION 'jobloop: a void in % stays as it was recorded (who, when and why)', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (n OPERATOR(pg_catalog.-) changeable) IS DISTINCT FROM (o OPERATOR(pg_catalog.-) changeable) THEN
            RAISE EXCEPTION 'jobloop: what was recorded in % stays as it was (only % may change): a correction is a new record or a void', TG_TABLE_NAME, pg_catalog.array_to_string(changeable, ', ')
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        FOREACH c IN ARRAY lead_only LOOP
            IF (n -> c) IS DISTINCT FROM (o -> c)
               AND NOT public.jobloop_leads(COALESCE(o ->> 'job_id', o ->> 'id')) THEN
                RAISE EXCEPTION 'jobloop: only the job''s lead changes the % of a %', c, TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END LOOP;
    END IF;
    FOREACH c IN ARRAY actors LOOP
        IF (TG_OP = 'INSERT' OR (n -> c) IS DISTINCT FROM (o -> c))
           AND (n ->> c) IS NOT NULL AND (n ->> c) OPERATOR(pg_catalog.<>) me THEN
            RAISE EXCEPTION 'jobloop: % logged in as themselves may not write % = %', me, c, n ->> c
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- Who acted is named whenever it is said when: `void_at` needs `void_by`, and so on.
        IF (n ->> c) IS NULL
           AND (n ->> pg_catalog.regexp_replace(c, '_by$', '_at')) IS NOT NULL THEN
            RAISE EXCEPTION 'jobloop: % is set, so % must name who acted', pg_catalog.regexp_replace(c, '_by$', '_at'), c
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    -- Times and dates as jobloop writes them, so no member can make a record unreadable.
    -- A `…_at` is a moment (a UTC time), `since` and `about` are days, `at` is either.
    FOR c IN SELECT k FROM pg_catalog.jsonb_object_keys(n) k
              WHERE k = 'at' OR k LIKE '%\_at' OR k IN ('since', 'about') LOOP
        IF (n ->> c) IS NOT NULL
           AND (NOT public.jobloop_is_time(n ->> c)
                OR (c LIKE '%\_at' AND pg_catalog.length(n ->> c) OPERATOR(pg_catalog.=) 10)
                OR (c IN ('since', 'about') AND pg_catalog.length(n ->> c) OPERATOR(pg_catalog.<>) 10)) THEN
            RAISE EXCEPTION 'jobloop: % of a % must be a date (YYYY-MM-DD) or a UTC time (RFC 3339)', c, TG_TABLE_NAME
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    -- A change names who made it: the actor column beside it names the logged-in role (or
    -- both are cleared), so no one rewrites another person's act under that person's name.
    IF TG_OP = 'UPDATE' THEN
        FOREACH c IN ARRAY vouched LOOP
            by_col := pg_catalog.split_part(c, ':', 2);
            c := pg_catalog.split_part(c, ':', 1);
            IF (n -> c) IS DISTINCT FROM (o -> c)
               AND NOT ((n ->> by_col) IS NOT DISTINCT FROM me
                        OR ((n ->> by_col) IS NULL AND (n ->> c) IS NULL)) THEN
                RAISE EXCEPTION 'jobloop: a change of % in % names who made it: % must be %', c, TG_TABLE_NAME, by_col, me
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
        END LOOP;
    END IF;
    RETURN NEW;
END $f$;
-- A value or an intervention belongs to the loop of its metric.
CREATE OR REPLACE FUNCTION public.jobloop_metric_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $f$
BEGIN
    IF public.jobloop_admin() THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM public.metrics m
                    WHERE m.id OPERATOR(pg_catalog.=) NEW.metric_id
                      AND m.loop_id OPERATOR(pg_catalog.=) NEW.loop_id) THEN
        RAISE EXCEPTION 'jobloop: a % belongs to the loop of its metric', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $f$;
-- The chain grows by one event at a time, each chained to the last: no member can make a gap,
-- a fork, or a sequence number that stops every later write.
CREATE OR REPLACE FUNCTION public.jobloop_chain_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $f$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    IF public.jobloop_admin() THEN
        RETURN NEW;
    END IF;
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM public.audit_events e ORDER BY e.seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM COALESCE(last_seq, 0) OPERATOR(pg_catalog.+) 1
       OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '0000000000000000000000000000000000000000000000000000000000000000')
       OR NEW.hash !~ '^[0-9a-f]{64}$'
       OR NEW.at !~ 'T' OR NOT public.jobloop_is_time(NEW.at) THEN
        RAISE EXCEPTION 'jobloop: an audit event follows the last one (sequence %, its hash)', COALESCE(last_seq, 0) OPERATOR(pg_catalog.+) 1
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM NEW.before::jsonb, NEW.after::jsonb;
    RETURN NEW;
END $f$;
-- A sign-off exists only if the decision's named owner wrote it while logged in as themselves,
-- and a decision's owner who does not otherwise record on the loop writes that and nothing else.
CREATE OR REPLACE FUNCTION public.jobloop_sign_off_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $f$
DECLARE
    me text := session_user::text;
BEGIN
    IF public.jobloop_admin() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM public.decisions d WHERE d.id OPERATOR(pg_catalog.=) NEW.id) THEN
        -- An upsert of a decision that exists: judged as the update it becomes.
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.approved_by IS NOT NULL OR NEW.approved_at IS NOT NULL THEN
            RAISE EXCEPTION 'jobloop: a new decision waits for its owner''s sign-off'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF (NEW.approved_by, NEW.approved_at) IS DISTINCT FROM (OLD.approved_by, OLD.approved_at)
       AND (OLD.approved_by IS NOT NULL OR NEW.approved_at IS NULL
            OR NEW.approved_by IS DISTINCT FROM me OR OLD.owner IS DISTINCT FROM me) THEN
        RAISE EXCEPTION 'jobloop: only % signs off this decision, logged in as themselves', OLD.owner
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Only a decision in force is signed off: not a voided one, nor one a newer version amends.
    IF (NEW.approved_by, NEW.approved_at) IS DISTINCT FROM (OLD.approved_by, OLD.approved_at)
       AND (OLD.void_at IS NOT NULL
            OR EXISTS (SELECT 1 FROM public.decisions d WHERE d.supersedes OPERATOR(pg_catalog.=) OLD.id)) THEN
        RAISE EXCEPTION 'jobloop: only a decision in force is signed off (this one is voided or amended)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT public.jobloop_may_record(OLD.loop_id)
       AND (pg_catalog.to_jsonb(NEW) OPERATOR(pg_catalog.-) '{approved_at,approved_by}'::text[])
           IS DISTINCT FROM (pg_catalog.to_jsonb(OLD) OPERATOR(pg_catalog.-) '{approved_at,approved_by}'::text[]) THEN
        RAISE EXCEPTION 'jobloop: a decision''s owner records its sign-off and nothing else on this loop'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $f$;
