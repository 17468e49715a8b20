--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: hangfire; Type: SCHEMA; Schema: -; Owner: healthcare
--

CREATE SCHEMA hangfire;


ALTER SCHEMA hangfire OWNER TO healthcare;

--
-- Name: btree_gist; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;


--
-- Name: EXTENSION btree_gist; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';


--
-- Name: pg_trgm; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;


--
-- Name: EXTENSION pg_trgm; Type: COMMENT; Schema: -; Owner: 
--

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';


--
-- Name: audit_events_append_only(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;


ALTER FUNCTION public.audit_events_append_only() OWNER TO healthcare;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.audit_events (
    CONSTRAINT ck_audit_events_outcome CHECK (((outcome)::text = ANY ((ARRAY['success'::character varying, 'denied'::character varying, 'failure'::character varying])::text[]))),
    action character varying(40) NOT NULL,
    chain_id uuid NOT NULL,
    clinic_id uuid,
    hash bytea NOT NULL,
    id bigint NOT NULL,
    ip_address character varying(64),
    occurred_at timestamp with time zone NOT NULL,
    outcome character varying(16) NOT NULL,
    patient_id uuid,
    previous_hash bytea,
    reason character varying(1000),
    request_id character varying(128),
    resource_id character varying(100),
    resource_type character varying(60) NOT NULL,
    user_agent character varying(256),
    user_id uuid,
    user_role character varying(32)
);


ALTER TABLE public.audit_events OWNER TO healthcare;

--
-- Name: audit_events_canonical(public.audit_events); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.audit_events_canonical(e public.audit_events) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_array(
        e.id, e.chain_id, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        e.user_id, e.user_role, e.clinic_id, e.action, e.resource_type, e.resource_id, e.patient_id,
        e.outcome, e.ip_address, e.user_agent, e.request_id, e.reason)::text
$$;


ALTER FUNCTION public.audit_events_canonical(e public.audit_events) OWNER TO healthcare;

--
-- Name: audit_events_chain(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.audit_events_chain() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    previous bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('audit_events:' || NEW.chain_id::text, 0));
    NEW.id := nextval('audit_events_id_seq');
    SELECT hash INTO previous FROM audit_events WHERE chain_id = NEW.chain_id ORDER BY id DESC LIMIT 1;
    NEW.previous_hash := previous;
    NEW.hash := sha256(convert_to(audit_events_canonical(NEW), 'UTF8') || coalesce(previous, ''::bytea));
    RETURN NEW;
END
$$;


ALTER FUNCTION public.audit_events_chain() OWNER TO healthcare;

--
-- Name: audit_events_verify(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.audit_events_verify() RETURNS TABLE(broken_id bigint, chain_id uuid, problem text)
    LANGUAGE sql STABLE
    AS $$
    SELECT x.id, x.chain_id,
           CASE WHEN x.hash IS DISTINCT FROM x.expected_hash THEN 'content does not match its hash'
                ELSE 'link to the previous event is broken' END
    FROM (
        SELECT e.id, e.chain_id, e.hash, e.previous_hash,
               lag(e.hash) OVER (PARTITION BY e.chain_id ORDER BY e.id) AS expected_previous,
               sha256(convert_to(audit_events_canonical(e), 'UTF8') || coalesce(e.previous_hash, ''::bytea)) AS expected_hash
        FROM audit_events e
    ) x
    WHERE x.hash IS DISTINCT FROM x.expected_hash OR x.previous_hash IS DISTINCT FROM x.expected_previous
    ORDER BY x.id
    LIMIT 1
$$;


ALTER FUNCTION public.audit_events_verify() OWNER TO healthcare;

--
-- Name: clinical_notes_signed_immutable(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.clinical_notes_signed_immutable() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.signed_at IS NULL AND TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF OLD.signed_at IS NULL THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' OR
       (NEW.clinic_id, NEW.patient_id, NEW.encounter_id, NEW.author_user_id, NEW.kind, NEW.body_encrypted, NEW.created_at, NEW.signed_at)
       IS DISTINCT FROM
       (OLD.clinic_id, OLD.patient_id, OLD.encounter_id, OLD.author_user_id, OLD.kind, OLD.body_encrypted, OLD.created_at, OLD.signed_at) OR
       (OLD.released AND (NEW.released, NEW.released_at, NEW.released_by_user_id)
                         IS DISTINCT FROM (OLD.released, OLD.released_at, OLD.released_by_user_id)) THEN
        RAISE EXCEPTION 'a signed clinical note is immutable: % is not allowed; append an amendment', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;


ALTER FUNCTION public.clinical_notes_signed_immutable() OWNER TO healthcare;

--
-- Name: log_events_create_partitions(date, integer); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.log_events_create_partitions(first_day date, days integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    created integer := 0;
    day date;
    part_name text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('log_events_partitions'));
    FOR i IN 0 .. days - 1 LOOP
        day := first_day + i;
        part_name := 'log_events_p' || to_char(day, 'YYYYMMDD');
        IF to_regclass(quote_ident(part_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF log_events FOR VALUES FROM (%L) TO (%L)',
                part_name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END
$$;


ALTER FUNCTION public.log_events_create_partitions(first_day date, days integer) OWNER TO healthcare;

--
-- Name: log_events_drop_partitions(date); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.log_events_drop_partitions(older_than date) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $_$
DECLARE
    dropped integer := 0;
    part record;
BEGIN
    IF older_than > (now() AT TIME ZONE 'UTC')::date THEN
        RAISE EXCEPTION 'log partitions of today or later are never dropped';
    END IF;
    PERFORM set_config('lock_timeout', '5s', true);
    PERFORM pg_advisory_xact_lock(hashtext('log_events_partitions'));
    FOR part IN
        SELECT c.relname
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'log_events'::regclass
          AND c.relname ~ '^log_events_p[0-9]{8}$'
          AND to_date(substring(c.relname FROM 13), 'YYYYMMDD') < older_than
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$_$;


ALTER FUNCTION public.log_events_drop_partitions(older_than date) OWNER TO healthcare;

--
-- Name: note_amendments_append_only(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.note_amendments_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION 'note_amendments is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM clinical_notes WHERE id = NEW.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION 'only a signed note takes amendments' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;


ALTER FUNCTION public.note_amendments_append_only() OWNER TO healthcare;

--
-- Name: outbox_messages_notify(); Type: FUNCTION; Schema: public; Owner: healthcare
--

CREATE FUNCTION public.outbox_messages_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('outbox_messages', '');
    RETURN NULL;
END $$;


ALTER FUNCTION public.outbox_messages_notify() OWNER TO healthcare;

--
-- Name: aggregatedcounter; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.aggregatedcounter (
    expireat timestamp with time zone,
    id bigint NOT NULL,
    key text NOT NULL,
    value bigint NOT NULL
);


ALTER TABLE hangfire.aggregatedcounter OWNER TO healthcare;

--
-- Name: aggregatedcounter_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.aggregatedcounter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.aggregatedcounter_id_seq OWNER TO healthcare;

--
-- Name: aggregatedcounter_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.aggregatedcounter_id_seq OWNED BY hangfire.aggregatedcounter.id;


--
-- Name: counter; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.counter (
    expireat timestamp with time zone,
    id bigint NOT NULL,
    key text NOT NULL,
    value bigint NOT NULL
);


ALTER TABLE hangfire.counter OWNER TO healthcare;

--
-- Name: counter_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.counter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.counter_id_seq OWNER TO healthcare;

--
-- Name: counter_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.counter_id_seq OWNED BY hangfire.counter.id;


--
-- Name: hash; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.hash (
    expireat timestamp with time zone,
    field text NOT NULL,
    id bigint NOT NULL,
    key text NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL,
    value text
);


ALTER TABLE hangfire.hash OWNER TO healthcare;

--
-- Name: hash_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.hash_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.hash_id_seq OWNER TO healthcare;

--
-- Name: hash_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.hash_id_seq OWNED BY hangfire.hash.id;


--
-- Name: job; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.job (
    arguments jsonb NOT NULL,
    createdat timestamp with time zone NOT NULL,
    expireat timestamp with time zone,
    id bigint NOT NULL,
    invocationdata jsonb NOT NULL,
    stateid bigint,
    statename text,
    updatecount integer DEFAULT 0 NOT NULL
);


ALTER TABLE hangfire.job OWNER TO healthcare;

--
-- Name: job_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.job_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.job_id_seq OWNER TO healthcare;

--
-- Name: job_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.job_id_seq OWNED BY hangfire.job.id;


--
-- Name: jobparameter; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.jobparameter (
    id bigint NOT NULL,
    jobid bigint NOT NULL,
    name text NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL,
    value text
);


ALTER TABLE hangfire.jobparameter OWNER TO healthcare;

--
-- Name: jobparameter_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.jobparameter_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.jobparameter_id_seq OWNER TO healthcare;

--
-- Name: jobparameter_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.jobparameter_id_seq OWNED BY hangfire.jobparameter.id;


--
-- Name: jobqueue; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.jobqueue (
    fetchedat timestamp with time zone,
    id bigint NOT NULL,
    jobid bigint NOT NULL,
    queue text NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL
);


ALTER TABLE hangfire.jobqueue OWNER TO healthcare;

--
-- Name: jobqueue_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.jobqueue_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.jobqueue_id_seq OWNER TO healthcare;

--
-- Name: jobqueue_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.jobqueue_id_seq OWNED BY hangfire.jobqueue.id;


--
-- Name: list; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.list (
    expireat timestamp with time zone,
    id bigint NOT NULL,
    key text NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL,
    value text
);


ALTER TABLE hangfire.list OWNER TO healthcare;

--
-- Name: list_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.list_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.list_id_seq OWNER TO healthcare;

--
-- Name: list_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.list_id_seq OWNED BY hangfire.list.id;


--
-- Name: lock; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.lock (
    acquired timestamp with time zone,
    resource text NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL
);


ALTER TABLE hangfire.lock OWNER TO healthcare;

--
-- Name: schema; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.schema (
    version integer NOT NULL
);


ALTER TABLE hangfire.schema OWNER TO healthcare;

--
-- Name: server; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.server (
    data jsonb,
    id text NOT NULL,
    lastheartbeat timestamp with time zone NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL
);


ALTER TABLE hangfire.server OWNER TO healthcare;

--
-- Name: set; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.set (
    expireat timestamp with time zone,
    id bigint NOT NULL,
    key text NOT NULL,
    score double precision NOT NULL,
    updatecount integer DEFAULT 0 NOT NULL,
    value text NOT NULL
);


ALTER TABLE hangfire.set OWNER TO healthcare;

--
-- Name: set_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.set_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.set_id_seq OWNER TO healthcare;

--
-- Name: set_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.set_id_seq OWNED BY hangfire.set.id;


--
-- Name: state; Type: TABLE; Schema: hangfire; Owner: healthcare
--

CREATE TABLE hangfire.state (
    createdat timestamp with time zone NOT NULL,
    data jsonb,
    id bigint NOT NULL,
    jobid bigint NOT NULL,
    name text NOT NULL,
    reason text,
    updatecount integer DEFAULT 0 NOT NULL
);


ALTER TABLE hangfire.state OWNER TO healthcare;

--
-- Name: state_id_seq; Type: SEQUENCE; Schema: hangfire; Owner: healthcare
--

CREATE SEQUENCE hangfire.state_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE hangfire.state_id_seq OWNER TO healthcare;

--
-- Name: state_id_seq; Type: SEQUENCE OWNED BY; Schema: hangfire; Owner: healthcare
--

ALTER SEQUENCE hangfire.state_id_seq OWNED BY hangfire.state.id;


--
-- Name: __ef_migrations_history; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.__ef_migrations_history (
    migration_id character varying(150) NOT NULL,
    product_version character varying(32) NOT NULL
);


ALTER TABLE public.__ef_migrations_history OWNER TO healthcare;

--
-- Name: allergies; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.allergies (
    CONSTRAINT ck_allergies_severity CHECK (((severity)::text = ANY ((ARRAY['mild'::character varying, 'moderate'::character varying, 'severe'::character varying, 'life_threatening'::character varying])::text[]))),
    CONSTRAINT ck_allergies_status CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'inactive'::character varying, 'resolved'::character varying, 'entered_in_error'::character varying])::text[]))),
    CONSTRAINT ck_allergies_substance CHECK ((length(btrim((substance)::text)) > 0)),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    onset_date date,
    patient_id uuid NOT NULL,
    reaction character varying(500),
    recorded_by_user_id uuid NOT NULL,
    severity character varying(16) NOT NULL,
    status character varying(16) NOT NULL,
    substance character varying(200) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.allergies OWNER TO healthcare;

--
-- Name: appointment_exports; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.appointment_exports (
    CONSTRAINT ck_appointment_exports_dates CHECK ((from_date <= to_date)),
    CONSTRAINT ck_appointment_exports_encrypted CHECK (((content_encrypted IS NULL) OR (content_encrypted ~~ 'v1.%'::text))),
    CONSTRAINT ck_appointment_exports_status CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'ready'::character varying, 'failed'::character varying])::text[]))),
    clinic_id uuid NOT NULL,
    completed_at timestamp with time zone,
    content_encrypted text,
    created_at timestamp with time zone NOT NULL,
    download_token_hash bytea NOT NULL,
    expires_at timestamp with time zone,
    from_date date NOT NULL,
    id uuid NOT NULL,
    requested_by_user_id uuid NOT NULL,
    row_count integer,
    status character varying(16) NOT NULL,
    to_date date NOT NULL
);


ALTER TABLE public.appointment_exports OWNER TO healthcare;

--
-- Name: appointment_reminders; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.appointment_reminders (
    appointment_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    offset_minutes integer NOT NULL,
    starts_at timestamp with time zone NOT NULL
);


ALTER TABLE public.appointment_reminders OWNER TO healthcare;

--
-- Name: appointment_series; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.appointment_series (
    CONSTRAINT ck_appointment_series_interval CHECK (((interval_weeks >= 1) AND (interval_weeks <= 12))),
    CONSTRAINT ck_appointment_series_occurrences CHECK (((occurrences >= 2) AND (occurrences <= 52))),
    appointment_type_id uuid NOT NULL,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    created_by_user_id uuid,
    first_starts_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    interval_weeks integer NOT NULL,
    occurrences integer NOT NULL,
    patient_id uuid NOT NULL,
    practitioner_id uuid NOT NULL
);


ALTER TABLE public.appointment_series OWNER TO healthcare;

--
-- Name: appointment_types; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.appointment_types (
    CONSTRAINT ck_appointment_types_buffer CHECK (((buffer_minutes >= 0) AND (buffer_minutes <= 120))),
    CONSTRAINT ck_appointment_types_duration CHECK (((duration_minutes >= 5) AND (duration_minutes <= 480))),
    CONSTRAINT ck_appointment_types_mode CHECK (((mode)::text = ANY ((ARRAY['in_person'::character varying, 'video'::character varying, 'home_visit'::character varying])::text[]))),
    buffer_minutes integer NOT NULL,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    duration_minutes integer NOT NULL,
    id uuid NOT NULL,
    is_active boolean NOT NULL,
    mode character varying(16) NOT NULL,
    name character varying(200) NOT NULL
);


ALTER TABLE public.appointment_types OWNER TO healthcare;

--
-- Name: appointments; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.appointments (
    CONSTRAINT ck_appointments_hold CHECK ((((status)::text = 'held'::text) = (hold_expires_at IS NOT NULL))),
    CONSTRAINT ck_appointments_status CHECK (((status)::text = ANY ((ARRAY['held'::character varying, 'booked'::character varying, 'checked_in'::character varying, 'in_progress'::character varying, 'completed'::character varying, 'cancelled'::character varying, 'no_show'::character varying, 'expired'::character varying])::text[]))),
    CONSTRAINT ck_appointments_times CHECK (((starts_at < ends_at) AND (ends_at <= blocked_until))),
    appointment_type_id uuid NOT NULL,
    blocked_until timestamp with time zone NOT NULL,
    booked_by_user_id uuid,
    cancellation_reason character varying(500),
    cancelled_at timestamp with time zone,
    cancelled_by_user_id uuid,
    checked_in_at timestamp with time zone,
    clinic_id uuid NOT NULL,
    completed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    hold_expires_at timestamp with time zone,
    id uuid NOT NULL,
    location_id uuid,
    mode character varying(16) NOT NULL,
    patient_id uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    series_id uuid,
    started_at timestamp with time zone,
    starts_at timestamp with time zone NOT NULL,
    status character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.appointments OWNER TO healthcare;

--
-- Name: audit_events_id_seq; Type: SEQUENCE; Schema: public; Owner: healthcare
--

CREATE SEQUENCE public.audit_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.audit_events_id_seq OWNER TO healthcare;

--
-- Name: audit_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: healthcare
--

ALTER SEQUENCE public.audit_events_id_seq OWNED BY public.audit_events.id;


--
-- Name: bulk_export_files; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.bulk_export_files (
    CONSTRAINT ck_bulk_export_files_count CHECK ((count > 0)),
    CONSTRAINT ck_bulk_export_files_encrypted CHECK ((content_encrypted ~~ 'v1.%'::text)),
    content_encrypted text NOT NULL,
    count integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    export_id uuid NOT NULL,
    id uuid NOT NULL,
    sequence integer NOT NULL,
    type character varying(64) NOT NULL
);


ALTER TABLE public.bulk_export_files OWNER TO healthcare;

--
-- Name: bulk_exports; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.bulk_exports (
    CONSTRAINT ck_bulk_exports_status CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'running'::character varying, 'completed'::character varying, 'failed'::character varying, 'cancelled'::character varying])::text[]))),
    completed_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    group_id uuid,
    id uuid NOT NULL,
    parts jsonb NOT NULL,
    request text NOT NULL,
    requester_client_id character varying(200),
    requester_subject character varying(200) NOT NULL,
    resource_count integer NOT NULL,
    since timestamp with time zone,
    status character varying(16) NOT NULL,
    transaction_time timestamp with time zone
);


ALTER TABLE public.bulk_exports OWNER TO healthcare;

--
-- Name: client_assertion_uses; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.client_assertion_uses (
    client_id character varying(100) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    jti character varying(200) NOT NULL
);


ALTER TABLE public.client_assertion_uses OWNER TO healthcare;

--
-- Name: clinic_apps; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.clinic_apps (
    CONSTRAINT ck_clinic_apps_kind CHECK (((kind)::text = ANY ((ARRAY['public'::character varying, 'backend'::character varying])::text[]))),
    client_id character varying(100) NOT NULL,
    clinic_id uuid,
    created_at timestamp with time zone NOT NULL,
    created_by_user_id uuid NOT NULL,
    disabled_at timestamp with time zone,
    id uuid NOT NULL,
    jwks_url character varying(2000),
    kind character varying(16) NOT NULL,
    name character varying(200) NOT NULL,
    scopes character varying(2000) NOT NULL
);


ALTER TABLE public.clinic_apps OWNER TO healthcare;

--
-- Name: clinic_memberships; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.clinic_memberships (
    CONSTRAINT ck_clinic_memberships_role CHECK (((role)::text = ANY ((ARRAY['clinic_admin'::character varying, 'doctor'::character varying, 'nurse'::character varying, 'receptionist'::character varying, 'patient'::character varying])::text[]))),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    role character varying(32) NOT NULL,
    user_id uuid NOT NULL
);


ALTER TABLE public.clinic_memberships OWNER TO healthcare;

--
-- Name: clinical_notes; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.clinical_notes (
    CONSTRAINT ck_clinical_notes_body_encrypted CHECK ((body_encrypted ~~ 'v1.%'::text)),
    CONSTRAINT ck_clinical_notes_kind CHECK (((kind)::text = ANY ((ARRAY['progress'::character varying, 'history_and_physical'::character varying, 'consultation'::character varying, 'procedure'::character varying, 'discharge'::character varying, 'telephone'::character varying, 'other'::character varying])::text[]))),
    CONSTRAINT ck_clinical_notes_released CHECK (((released = (released_at IS NOT NULL)) AND (released = (released_by_user_id IS NOT NULL)))),
    author_user_id uuid NOT NULL,
    body_encrypted text NOT NULL,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    encounter_id uuid,
    id uuid NOT NULL,
    kind character varying(32) NOT NULL,
    patient_id uuid NOT NULL,
    released boolean NOT NULL,
    released_at timestamp with time zone,
    released_by_user_id uuid,
    signed_at timestamp with time zone,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.clinical_notes OWNER TO healthcare;

--
-- Name: clinics; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.clinics (
    CONSTRAINT ck_clinics_name_not_blank CHECK ((length(btrim((name)::text)) > 0)),
    address jsonb,
    created_at timestamp with time zone NOT NULL,
    email character varying(254),
    id uuid NOT NULL,
    name character varying(200) NOT NULL,
    opening_hours jsonb,
    phone character varying(32),
    policy jsonb DEFAULT '{"NoShowGraceMinutes": 15, "WaitlistHoldMinutes": 120, "ReminderOffsetsMinutes": [1440, 120], "CancellationWindowHours": 24}'::jsonb NOT NULL,
    require_staff_mfa boolean DEFAULT false NOT NULL,
    time_zone character varying(64) NOT NULL
);


ALTER TABLE public.clinics OWNER TO healthcare;

--
-- Name: data_protection_keys; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.data_protection_keys (
    friendly_name text,
    id integer NOT NULL,
    xml text
);


ALTER TABLE public.data_protection_keys OWNER TO healthcare;

--
-- Name: data_protection_keys_id_seq; Type: SEQUENCE; Schema: public; Owner: healthcare
--

ALTER TABLE public.data_protection_keys ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
    SEQUENCE NAME public.data_protection_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: email_verifications; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.email_verifications (
    created_at timestamp with time zone NOT NULL,
    email character varying(254) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    token_hash bytea NOT NULL,
    used_at timestamp with time zone,
    user_id uuid NOT NULL
);


ALTER TABLE public.email_verifications OWNER TO healthcare;

--
-- Name: emergency_access_grants; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.emergency_access_grants (
    CONSTRAINT ck_emergency_access_reason CHECK ((length(btrim((reason)::text)) >= 10)),
    clinic_id uuid NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    granted_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    patient_id uuid NOT NULL,
    reason character varying(1000) NOT NULL,
    user_id uuid NOT NULL
);


ALTER TABLE public.emergency_access_grants OWNER TO healthcare;

--
-- Name: encounters; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.encounters (
    CONSTRAINT ck_encounters_ended CHECK ((((status)::text = 'in_progress'::text) = (ended_at IS NULL))),
    CONSTRAINT ck_encounters_status CHECK (((status)::text = ANY ((ARRAY['in_progress'::character varying, 'finished'::character varying, 'cancelled'::character varying])::text[]))),
    CONSTRAINT ck_encounters_times CHECK (((ended_at IS NULL) OR (ended_at >= started_at))),
    appointment_id uuid,
    clinic_id uuid NOT NULL,
    clinician_user_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    id uuid NOT NULL,
    patient_id uuid NOT NULL,
    reason character varying(500),
    started_at timestamp with time zone NOT NULL,
    status character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.encounters OWNER TO healthcare;

--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.idempotency_keys (
    CONSTRAINT ck_idempotency_keys_completed_status CHECK ((((state)::text = 'pending'::text) OR (response_status IS NOT NULL))),
    CONSTRAINT ck_idempotency_keys_request_hash_length CHECK ((octet_length(request_hash) = 32)),
    CONSTRAINT ck_idempotency_keys_state CHECK (((state)::text = ANY ((ARRAY['pending'::character varying, 'completed'::character varying])::text[]))),
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    key character varying(255) NOT NULL,
    method character varying(16) NOT NULL,
    path text NOT NULL,
    request_hash bytea NOT NULL,
    response_body text,
    response_content_type character varying(200),
    response_etag character varying(200),
    response_location text,
    response_status integer,
    route text NOT NULL,
    state character varying(16) NOT NULL,
    user_id uuid
);


ALTER TABLE public.idempotency_keys OWNER TO healthcare;

--
-- Name: invitations; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.invitations (
    CONSTRAINT ck_invitations_staff_role CHECK (((role)::text = ANY ((ARRAY['clinic_admin'::character varying, 'doctor'::character varying, 'nurse'::character varying, 'receptionist'::character varying])::text[]))),
    accepted_at timestamp with time zone,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    email character varying(254) NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    invited_by uuid NOT NULL,
    role character varying(32) NOT NULL,
    token_hash bytea NOT NULL
);


ALTER TABLE public.invitations OWNER TO healthcare;

--
-- Name: locations; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.locations (
    address jsonb,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    is_active boolean NOT NULL,
    name character varying(200) NOT NULL,
    phone character varying(32)
);


ALTER TABLE public.locations OWNER TO healthcare;

--
-- Name: log_events; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.log_events (
    CONSTRAINT log_events_level_check CHECK (((level >= 0) AND (level <= 5))),
    application text NOT NULL,
    exception text,
    exception_type text,
    id uuid NOT NULL,
    instance text NOT NULL,
    level smallint NOT NULL,
    logged_at timestamp with time zone NOT NULL,
    message text NOT NULL,
    message_template text NOT NULL,
    properties jsonb NOT NULL,
    request_id text,
    source text,
    span_id text,
    trace_id text
)
PARTITION BY RANGE (logged_at);


ALTER TABLE public.log_events OWNER TO healthcare;

--
-- Name: log_events_p<day 0>; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.log_events_p<day 0> (
    CONSTRAINT log_events_level_check CHECK (((level >= 0) AND (level <= 5))),
    application text NOT NULL,
    exception text,
    exception_type text,
    id uuid NOT NULL,
    instance text NOT NULL,
    level smallint NOT NULL,
    logged_at timestamp with time zone NOT NULL,
    message text NOT NULL,
    message_template text NOT NULL,
    properties jsonb NOT NULL,
    request_id text,
    source text,
    span_id text,
    trace_id text
);


ALTER TABLE public.log_events_p<day 0> OWNER TO healthcare;

--
-- Name: log_events_p<day 1>; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.log_events_p<day 1> (
    CONSTRAINT log_events_level_check CHECK (((level >= 0) AND (level <= 5))),
    application text NOT NULL,
    exception text,
    exception_type text,
    id uuid NOT NULL,
    instance text NOT NULL,
    level smallint NOT NULL,
    logged_at timestamp with time zone NOT NULL,
    message text NOT NULL,
    message_template text NOT NULL,
    properties jsonb NOT NULL,
    request_id text,
    source text,
    span_id text,
    trace_id text
);


ALTER TABLE public.log_events_p<day 1> OWNER TO healthcare;

--
-- Name: log_events_p<day 2>; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.log_events_p<day 2> (
    CONSTRAINT log_events_level_check CHECK (((level >= 0) AND (level <= 5))),
    application text NOT NULL,
    exception text,
    exception_type text,
    id uuid NOT NULL,
    instance text NOT NULL,
    level smallint NOT NULL,
    logged_at timestamp with time zone NOT NULL,
    message text NOT NULL,
    message_template text NOT NULL,
    properties jsonb NOT NULL,
    request_id text,
    source text,
    span_id text,
    trace_id text
);


ALTER TABLE public.log_events_p<day 2> OWNER TO healthcare;

--
-- Name: medications; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.medications (
    CONSTRAINT ck_medications_dates CHECK (((end_date IS NULL) OR (end_date >= start_date))),
    CONSTRAINT ck_medications_route CHECK (((route)::text = ANY ((ARRAY['oral'::character varying, 'sublingual'::character varying, 'buccal'::character varying, 'topical'::character varying, 'transdermal'::character varying, 'inhaled'::character varying, 'nasal'::character varying, 'ophthalmic'::character varying, 'otic'::character varying, 'rectal'::character varying, 'vaginal'::character varying, 'subcutaneous'::character varying, 'intramuscular'::character varying, 'intravenous'::character varying, 'other'::character varying])::text[]))),
    CONSTRAINT ck_medications_status CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'completed'::character varying, 'stopped'::character varying, 'entered_in_error'::character varying])::text[]))),
    CONSTRAINT ck_medications_text CHECK (((length(btrim((drug)::text)) > 0) AND (length(btrim((dose)::text)) > 0) AND (length(btrim((frequency)::text)) > 0))),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    dose character varying(100) NOT NULL,
    drug character varying(200) NOT NULL,
    encounter_id uuid,
    end_date date,
    frequency character varying(100) NOT NULL,
    id uuid NOT NULL,
    instructions character varying(1000),
    patient_id uuid NOT NULL,
    prescriber_user_id uuid NOT NULL,
    route character varying(16) NOT NULL,
    start_date date NOT NULL,
    status character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.medications OWNER TO healthcare;

--
-- Name: mfa_recovery_codes; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.mfa_recovery_codes (
    code_hash bytea NOT NULL,
    id uuid NOT NULL,
    used_at timestamp with time zone,
    user_id uuid NOT NULL
);


ALTER TABLE public.mfa_recovery_codes OWNER TO healthcare;

--
-- Name: note_amendments; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.note_amendments (
    CONSTRAINT ck_note_amendments_body_encrypted CHECK ((body_encrypted ~~ 'v1.%'::text)),
    author_user_id uuid NOT NULL,
    body_encrypted text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    note_id uuid NOT NULL
);


ALTER TABLE public.note_amendments OWNER TO healthcare;

--
-- Name: notifications; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.notifications (
    CONSTRAINT ck_notifications_channel CHECK (((channel)::text = ANY ((ARRAY['email'::character varying, 'sms'::character varying])::text[]))),
    CONSTRAINT ck_notifications_status CHECK (((status)::text = ANY ((ARRAY['pending'::character varying, 'sent'::character varying, 'failed'::character varying])::text[]))),
    attempts integer NOT NULL,
    body text NOT NULL,
    channel character varying(16) NOT NULL,
    clinic_id uuid,
    created_at timestamp with time zone NOT NULL,
    dedupe_key character varying(128) NOT NULL,
    id uuid NOT NULL,
    language character varying(8) NOT NULL,
    last_error character varying(200),
    patient_id uuid,
    recipient character varying(254) NOT NULL,
    sent_at timestamp with time zone,
    status character varying(16) NOT NULL,
    subject character varying(200) NOT NULL,
    template character varying(64) NOT NULL
);


ALTER TABLE public.notifications OWNER TO healthcare;

--
-- Name: oauth_applications; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.oauth_applications (
    application_type character varying(50),
    client_id character varying(100),
    client_secret text,
    client_type character varying(50),
    concurrency_token character varying(50),
    consent_type character varying(50),
    display_name text,
    display_names text,
    id uuid NOT NULL,
    json_web_key_set text,
    permissions text,
    post_logout_redirect_uris text,
    properties text,
    redirect_uris text,
    requirements text,
    settings text
);


ALTER TABLE public.oauth_applications OWNER TO healthcare;

--
-- Name: oauth_authorizations; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.oauth_authorizations (
    application_id uuid,
    concurrency_token character varying(50),
    creation_date timestamp with time zone,
    id uuid NOT NULL,
    properties text,
    scopes text,
    status character varying(50),
    subject character varying(400),
    type character varying(50)
);


ALTER TABLE public.oauth_authorizations OWNER TO healthcare;

--
-- Name: oauth_scopes; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.oauth_scopes (
    concurrency_token character varying(50),
    description text,
    descriptions text,
    display_name text,
    display_names text,
    id uuid NOT NULL,
    name character varying(200),
    properties text,
    resources text
);


ALTER TABLE public.oauth_scopes OWNER TO healthcare;

--
-- Name: oauth_tokens; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.oauth_tokens (
    application_id uuid,
    authorization_id uuid,
    concurrency_token character varying(50),
    creation_date timestamp with time zone,
    expiration_date timestamp with time zone,
    id uuid NOT NULL,
    payload text,
    properties text,
    redemption_date timestamp with time zone,
    reference_id character varying(100),
    status character varying(50),
    subject character varying(400),
    type character varying(150)
);


ALTER TABLE public.oauth_tokens OWNER TO healthcare;

--
-- Name: outbox_messages; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.outbox_messages (
    attempts integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    kind character varying(64) NOT NULL,
    payload jsonb NOT NULL,
    processed_at timestamp with time zone,
    trace_parent character varying(128)
);


ALTER TABLE public.outbox_messages OWNER TO healthcare;

--
-- Name: password_resets; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.password_resets (
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    token_hash bytea NOT NULL,
    used_at timestamp with time zone,
    user_id uuid NOT NULL
);


ALTER TABLE public.password_resets OWNER TO healthcare;

--
-- Name: patient_link_offers; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.patient_link_offers (
    CONSTRAINT ck_patient_link_offers_channel CHECK (((channel)::text = ANY ((ARRAY['email'::character varying, 'sms'::character varying, 'legacy'::character varying])::text[]))),
    CONSTRAINT ck_patient_link_offers_token CHECK (((token_hash IS NULL) = ((channel)::text = 'legacy'::text))),
    accepted_at timestamp with time zone,
    accepted_by uuid,
    channel character varying(16) NOT NULL,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    former_user_id uuid,
    id uuid NOT NULL,
    offered_by uuid,
    patient_id uuid NOT NULL,
    revoked_at timestamp with time zone,
    token_hash bytea
);


ALTER TABLE public.patient_link_offers OWNER TO healthcare;

--
-- Name: patients; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.patients (
    CONSTRAINT ck_patients_encrypted_national_id CHECK (((national_id_encrypted IS NULL) OR (national_id_encrypted ~~ 'v1.%'::text))),
    CONSTRAINT ck_patients_sex CHECK (((sex)::text = ANY ((ARRAY['female'::character varying, 'male'::character varying, 'intersex'::character varying, 'unknown'::character varying])::text[]))),
    address jsonb,
    clinic_id uuid NOT NULL,
    contact_changed_by uuid,
    created_at timestamp with time zone NOT NULL,
    date_of_birth date NOT NULL,
    email character varying(254),
    emergency_contacts jsonb,
    family_name character varying(100) NOT NULL,
    gender character varying(50),
    given_name character varying(100) NOT NULL,
    id uuid NOT NULL,
    insurance_member_id_encrypted text,
    insurance_member_id_index bytea,
    insurer_name character varying(200),
    national_id_encrypted text,
    national_id_index bytea,
    national_id_last4 character varying(4),
    phone character varying(32),
    preferred_language character varying(35),
    search_name character varying(201) NOT NULL,
    sex character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    user_id uuid
);


ALTER TABLE public.patients OWNER TO healthcare;

--
-- Name: practitioners; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.practitioners (
    bio character varying(2000),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    display_name character varying(200) NOT NULL,
    id uuid NOT NULL,
    is_active boolean NOT NULL,
    licence_number character varying(64) NOT NULL,
    location_ids uuid[] NOT NULL,
    specialties text[] NOT NULL,
    title character varying(100),
    user_id uuid
);


ALTER TABLE public.practitioners OWNER TO healthcare;

--
-- Name: problem_list_items; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.problem_list_items (
    CONSTRAINT ck_problem_list_items_condition CHECK ((length(btrim((condition)::text)) > 0)),
    CONSTRAINT ck_problem_list_items_icd10 CHECK (((icd10_code IS NULL) OR ((icd10_code)::text ~ '^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$'::text))),
    CONSTRAINT ck_problem_list_items_resolved CHECK (((resolved_date IS NULL) OR (((status)::text = 'resolved'::text) AND ((onset_date IS NULL) OR (resolved_date >= onset_date))))),
    CONSTRAINT ck_problem_list_items_status CHECK (((status)::text = ANY ((ARRAY['active'::character varying, 'resolved'::character varying, 'entered_in_error'::character varying])::text[]))),
    clinic_id uuid NOT NULL,
    condition character varying(300) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    icd10_code character varying(8),
    id uuid NOT NULL,
    onset_date date,
    patient_id uuid NOT NULL,
    recorded_by_user_id uuid NOT NULL,
    resolved_date date,
    status character varying(16) NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.problem_list_items OWNER TO healthcare;

--
-- Name: refresh_tokens; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.refresh_tokens (
    CONSTRAINT ck_refresh_tokens_hash_length CHECK ((octet_length(token_hash) = 32)),
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    session_id uuid NOT NULL,
    token_hash bytea NOT NULL,
    used_at timestamp with time zone
);


ALTER TABLE public.refresh_tokens OWNER TO healthcare;

--
-- Name: sessions; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.sessions (
    absolute_expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    idle_expires_at timestamp with time zone NOT NULL,
    ip_address character varying(64),
    last_used_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    revoked_reason character varying(40),
    user_agent character varying(256),
    user_id uuid NOT NULL
);


ALTER TABLE public.sessions OWNER TO healthcare;

--
-- Name: time_off; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.time_off (
    CONSTRAINT ck_time_off_range CHECK ((starts_at < ends_at)),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    id uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    reason character varying(200),
    starts_at timestamp with time zone NOT NULL
);


ALTER TABLE public.time_off OWNER TO healthcare;

--
-- Name: users; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.users (
    CONSTRAINT ck_users_email_normalized CHECK ((((email)::text = lower(btrim((email)::text))) AND (POSITION(('@'::text) IN (email)) > 1))),
    CONSTRAINT ck_users_notification_channel CHECK (((notification_channel)::text = ANY ((ARRAY['email'::character varying, 'sms'::character varying])::text[]))),
    created_at timestamp with time zone NOT NULL,
    disabled_by uuid,
    display_name character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    email_verified_at timestamp with time zone,
    id uuid NOT NULL,
    is_disabled boolean NOT NULL,
    is_super_admin boolean NOT NULL,
    mfa_last_step bigint DEFAULT 0 NOT NULL,
    mfa_pending_secret bytea,
    mfa_secret bytea,
    notification_channel character varying(16) DEFAULT 'email'::character varying NOT NULL,
    password_hash character varying(512) NOT NULL,
    reminders_opt_out boolean DEFAULT false NOT NULL,
    security_stamp uuid NOT NULL
);


ALTER TABLE public.users OWNER TO healthcare;

--
-- Name: vital_signs; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.vital_signs (
    CONSTRAINT ck_vital_signs_kind_unit_range CHECK (((((kind)::text = 'blood_pressure'::text) AND ((unit)::text = 'mm[Hg]'::text) AND ((value >= (40)::numeric) AND (value <= (300)::numeric)) AND ((secondary_value >= (20)::numeric) AND (secondary_value <= (200)::numeric)) AND (secondary_value < value)) OR (((kind)::text = 'heart_rate'::text) AND ((unit)::text = '/min'::text) AND ((value >= (20)::numeric) AND (value <= (300)::numeric)) AND (secondary_value IS NULL)) OR (((kind)::text = 'temperature'::text) AND ((unit)::text = 'Cel'::text) AND ((value >= (25)::numeric) AND (value <= (45)::numeric)) AND (secondary_value IS NULL)) OR (((kind)::text = 'spo2'::text) AND ((unit)::text = '%'::text) AND ((value >= (50)::numeric) AND (value <= (100)::numeric)) AND (secondary_value IS NULL)) OR (((kind)::text = 'weight'::text) AND ((unit)::text = 'kg'::text) AND ((value >= 0.2) AND (value <= (650)::numeric)) AND (secondary_value IS NULL)) OR (((kind)::text = 'height'::text) AND ((unit)::text = 'cm'::text) AND ((value >= (20)::numeric) AND (value <= (280)::numeric)) AND (secondary_value IS NULL)))),
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    encounter_id uuid,
    id uuid NOT NULL,
    kind character varying(16) NOT NULL,
    measured_at timestamp with time zone NOT NULL,
    patient_id uuid NOT NULL,
    recorded_by_user_id uuid NOT NULL,
    secondary_value numeric(6,2),
    unit character varying(16) NOT NULL,
    value numeric(6,2) NOT NULL
);


ALTER TABLE public.vital_signs OWNER TO healthcare;

--
-- Name: waitlist_entries; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.waitlist_entries (
    CONSTRAINT ck_waitlist_entries_dates CHECK ((from_date <= to_date)),
    CONSTRAINT ck_waitlist_entries_status CHECK (((status)::text = ANY ((ARRAY['waiting'::character varying, 'offered'::character varying, 'booked'::character varying, 'cancelled'::character varying])::text[]))),
    appointment_type_id uuid NOT NULL,
    clinic_id uuid NOT NULL,
    created_at timestamp with time zone NOT NULL,
    from_date date NOT NULL,
    id uuid NOT NULL,
    offered_appointment_id uuid,
    patient_id uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    status character varying(16) NOT NULL,
    to_date date NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


ALTER TABLE public.waitlist_entries OWNER TO healthcare;

--
-- Name: working_hours; Type: TABLE; Schema: public; Owner: healthcare
--

CREATE TABLE public.working_hours (
    CONSTRAINT ck_working_hours_range CHECK ((starts < ends)),
    clinic_id uuid NOT NULL,
    day integer NOT NULL,
    ends time without time zone NOT NULL,
    id uuid NOT NULL,
    location_id uuid NOT NULL,
    practitioner_id uuid NOT NULL,
    starts time without time zone NOT NULL
);


ALTER TABLE public.working_hours OWNER TO healthcare;

--
-- Name: log_events_p<day 0>; Type: TABLE ATTACH; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events ATTACH PARTITION public.log_events_p<day 0> FOR VALUES FROM ('<day 0> 00:00:00+00') TO ('<day 1> 00:00:00+00');


--
-- Name: log_events_p<day 1>; Type: TABLE ATTACH; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events ATTACH PARTITION public.log_events_p<day 1> FOR VALUES FROM ('<day 1> 00:00:00+00') TO ('<day 2> 00:00:00+00');


--
-- Name: log_events_p<day 2>; Type: TABLE ATTACH; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events ATTACH PARTITION public.log_events_p<day 2> FOR VALUES FROM ('<day 2> 00:00:00+00') TO ('<day 3> 00:00:00+00');


--
-- Name: aggregatedcounter id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.aggregatedcounter ALTER COLUMN id SET DEFAULT nextval('hangfire.aggregatedcounter_id_seq'::regclass);


--
-- Name: counter id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.counter ALTER COLUMN id SET DEFAULT nextval('hangfire.counter_id_seq'::regclass);


--
-- Name: hash id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.hash ALTER COLUMN id SET DEFAULT nextval('hangfire.hash_id_seq'::regclass);


--
-- Name: job id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.job ALTER COLUMN id SET DEFAULT nextval('hangfire.job_id_seq'::regclass);


--
-- Name: jobparameter id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.jobparameter ALTER COLUMN id SET DEFAULT nextval('hangfire.jobparameter_id_seq'::regclass);


--
-- Name: jobqueue id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.jobqueue ALTER COLUMN id SET DEFAULT nextval('hangfire.jobqueue_id_seq'::regclass);


--
-- Name: list id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.list ALTER COLUMN id SET DEFAULT nextval('hangfire.list_id_seq'::regclass);


--
-- Name: set id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.set ALTER COLUMN id SET DEFAULT nextval('hangfire.set_id_seq'::regclass);


--
-- Name: state id; Type: DEFAULT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.state ALTER COLUMN id SET DEFAULT nextval('hangfire.state_id_seq'::regclass);


--
-- Name: aggregatedcounter aggregatedcounter_key_key; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.aggregatedcounter
    ADD CONSTRAINT aggregatedcounter_key_key UNIQUE (key);


--
-- Name: aggregatedcounter aggregatedcounter_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.aggregatedcounter
    ADD CONSTRAINT aggregatedcounter_pkey PRIMARY KEY (id);


--
-- Name: counter counter_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.counter
    ADD CONSTRAINT counter_pkey PRIMARY KEY (id);


--
-- Name: hash hash_key_field_key; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.hash
    ADD CONSTRAINT hash_key_field_key UNIQUE (key, field);


--
-- Name: hash hash_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.hash
    ADD CONSTRAINT hash_pkey PRIMARY KEY (id);


--
-- Name: job job_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.job
    ADD CONSTRAINT job_pkey PRIMARY KEY (id);


--
-- Name: jobparameter jobparameter_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.jobparameter
    ADD CONSTRAINT jobparameter_pkey PRIMARY KEY (id);


--
-- Name: jobqueue jobqueue_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.jobqueue
    ADD CONSTRAINT jobqueue_pkey PRIMARY KEY (id);


--
-- Name: list list_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.list
    ADD CONSTRAINT list_pkey PRIMARY KEY (id);


--
-- Name: lock lock_resource_key; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.lock
    ADD CONSTRAINT lock_resource_key UNIQUE (resource);

ALTER TABLE ONLY hangfire.lock REPLICA IDENTITY USING INDEX lock_resource_key;


--
-- Name: schema schema_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.schema
    ADD CONSTRAINT schema_pkey PRIMARY KEY (version);


--
-- Name: server server_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.server
    ADD CONSTRAINT server_pkey PRIMARY KEY (id);


--
-- Name: set set_key_value_key; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.set
    ADD CONSTRAINT set_key_value_key UNIQUE (key, value);


--
-- Name: set set_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.set
    ADD CONSTRAINT set_pkey PRIMARY KEY (id);


--
-- Name: state state_pkey; Type: CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.state
    ADD CONSTRAINT state_pkey PRIMARY KEY (id);


--
-- Name: appointments ex_appointments_patient_overlap; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT ex_appointments_patient_overlap EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&) WHERE (((status)::text = ANY ((ARRAY['held'::character varying, 'booked'::character varying, 'checked_in'::character varying, 'in_progress'::character varying])::text[])));


--
-- Name: appointments ex_appointments_practitioner_overlap; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT ex_appointments_practitioner_overlap EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, blocked_until, '[)'::text) WITH &&) WHERE (((status)::text = ANY ((ARRAY['held'::character varying, 'booked'::character varying, 'checked_in'::character varying, 'in_progress'::character varying])::text[])));


--
-- Name: log_events pk_log_events; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events
    ADD CONSTRAINT pk_log_events PRIMARY KEY (logged_at, id);


--
-- Name: log_events_p<day 0> log_events_p<day 0>_pkey; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events_p<day 0>
    ADD CONSTRAINT log_events_p<day 0>_pkey PRIMARY KEY (logged_at, id);


--
-- Name: log_events_p<day 1> log_events_p<day 1>_pkey; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events_p<day 1>
    ADD CONSTRAINT log_events_p<day 1>_pkey PRIMARY KEY (logged_at, id);


--
-- Name: log_events_p<day 2> log_events_p<day 2>_pkey; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.log_events_p<day 2>
    ADD CONSTRAINT log_events_p<day 2>_pkey PRIMARY KEY (logged_at, id);


--
-- Name: __ef_migrations_history pk___ef_migrations_history; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.__ef_migrations_history
    ADD CONSTRAINT pk___ef_migrations_history PRIMARY KEY (migration_id);


--
-- Name: allergies pk_allergies; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.allergies
    ADD CONSTRAINT pk_allergies PRIMARY KEY (id);


--
-- Name: appointment_exports pk_appointment_exports; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_exports
    ADD CONSTRAINT pk_appointment_exports PRIMARY KEY (id);


--
-- Name: appointment_reminders pk_appointment_reminders; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_reminders
    ADD CONSTRAINT pk_appointment_reminders PRIMARY KEY (appointment_id, offset_minutes, starts_at);


--
-- Name: appointment_series pk_appointment_series; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_series
    ADD CONSTRAINT pk_appointment_series PRIMARY KEY (id);


--
-- Name: appointment_types pk_appointment_types; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_types
    ADD CONSTRAINT pk_appointment_types PRIMARY KEY (id);


--
-- Name: appointments pk_appointments; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT pk_appointments PRIMARY KEY (id);


--
-- Name: audit_events pk_audit_events; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT pk_audit_events PRIMARY KEY (id);


--
-- Name: bulk_export_files pk_bulk_export_files; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.bulk_export_files
    ADD CONSTRAINT pk_bulk_export_files PRIMARY KEY (id);


--
-- Name: bulk_exports pk_bulk_exports; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.bulk_exports
    ADD CONSTRAINT pk_bulk_exports PRIMARY KEY (id);


--
-- Name: client_assertion_uses pk_client_assertion_uses; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.client_assertion_uses
    ADD CONSTRAINT pk_client_assertion_uses PRIMARY KEY (client_id, jti);


--
-- Name: clinic_apps pk_clinic_apps; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_apps
    ADD CONSTRAINT pk_clinic_apps PRIMARY KEY (id);


--
-- Name: clinic_memberships pk_clinic_memberships; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_memberships
    ADD CONSTRAINT pk_clinic_memberships PRIMARY KEY (id);


--
-- Name: clinical_notes pk_clinical_notes; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT pk_clinical_notes PRIMARY KEY (id);


--
-- Name: clinics pk_clinics; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinics
    ADD CONSTRAINT pk_clinics PRIMARY KEY (id);


--
-- Name: data_protection_keys pk_data_protection_keys; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.data_protection_keys
    ADD CONSTRAINT pk_data_protection_keys PRIMARY KEY (id);


--
-- Name: email_verifications pk_email_verifications; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.email_verifications
    ADD CONSTRAINT pk_email_verifications PRIMARY KEY (id);


--
-- Name: emergency_access_grants pk_emergency_access_grants; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.emergency_access_grants
    ADD CONSTRAINT pk_emergency_access_grants PRIMARY KEY (id);


--
-- Name: encounters pk_encounters; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.encounters
    ADD CONSTRAINT pk_encounters PRIMARY KEY (id);


--
-- Name: idempotency_keys pk_idempotency_keys; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT pk_idempotency_keys PRIMARY KEY (id);


--
-- Name: invitations pk_invitations; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT pk_invitations PRIMARY KEY (id);


--
-- Name: locations pk_locations; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.locations
    ADD CONSTRAINT pk_locations PRIMARY KEY (id);


--
-- Name: medications pk_medications; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.medications
    ADD CONSTRAINT pk_medications PRIMARY KEY (id);


--
-- Name: mfa_recovery_codes pk_mfa_recovery_codes; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.mfa_recovery_codes
    ADD CONSTRAINT pk_mfa_recovery_codes PRIMARY KEY (id);


--
-- Name: note_amendments pk_note_amendments; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.note_amendments
    ADD CONSTRAINT pk_note_amendments PRIMARY KEY (id);


--
-- Name: notifications pk_notifications; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.notifications
    ADD CONSTRAINT pk_notifications PRIMARY KEY (id);


--
-- Name: oauth_applications pk_oauth_applications; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_applications
    ADD CONSTRAINT pk_oauth_applications PRIMARY KEY (id);


--
-- Name: oauth_authorizations pk_oauth_authorizations; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_authorizations
    ADD CONSTRAINT pk_oauth_authorizations PRIMARY KEY (id);


--
-- Name: oauth_scopes pk_oauth_scopes; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_scopes
    ADD CONSTRAINT pk_oauth_scopes PRIMARY KEY (id);


--
-- Name: oauth_tokens pk_oauth_tokens; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT pk_oauth_tokens PRIMARY KEY (id);


--
-- Name: outbox_messages pk_outbox_messages; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.outbox_messages
    ADD CONSTRAINT pk_outbox_messages PRIMARY KEY (id);


--
-- Name: password_resets pk_password_resets; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT pk_password_resets PRIMARY KEY (id);


--
-- Name: patient_link_offers pk_patient_link_offers; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patient_link_offers
    ADD CONSTRAINT pk_patient_link_offers PRIMARY KEY (id);


--
-- Name: patients pk_patients; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT pk_patients PRIMARY KEY (id);


--
-- Name: practitioners pk_practitioners; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.practitioners
    ADD CONSTRAINT pk_practitioners PRIMARY KEY (id);


--
-- Name: problem_list_items pk_problem_list_items; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.problem_list_items
    ADD CONSTRAINT pk_problem_list_items PRIMARY KEY (id);


--
-- Name: refresh_tokens pk_refresh_tokens; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT pk_refresh_tokens PRIMARY KEY (id);


--
-- Name: sessions pk_sessions; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT pk_sessions PRIMARY KEY (id);


--
-- Name: time_off pk_time_off; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.time_off
    ADD CONSTRAINT pk_time_off PRIMARY KEY (id);


--
-- Name: users pk_users; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT pk_users PRIMARY KEY (id);


--
-- Name: vital_signs pk_vital_signs; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.vital_signs
    ADD CONSTRAINT pk_vital_signs PRIMARY KEY (id);


--
-- Name: waitlist_entries pk_waitlist_entries; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.waitlist_entries
    ADD CONSTRAINT pk_waitlist_entries PRIMARY KEY (id);


--
-- Name: working_hours pk_working_hours; Type: CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.working_hours
    ADD CONSTRAINT pk_working_hours PRIMARY KEY (id);


--
-- Name: ix_hangfire_counter_expireat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_counter_expireat ON hangfire.counter USING btree (expireat);


--
-- Name: ix_hangfire_counter_key; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_counter_key ON hangfire.counter USING btree (key);


--
-- Name: ix_hangfire_hash_expireat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_hash_expireat ON hangfire.hash USING btree (expireat);


--
-- Name: ix_hangfire_job_expireat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_job_expireat ON hangfire.job USING btree (expireat);


--
-- Name: ix_hangfire_job_statename; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_job_statename ON hangfire.job USING btree (statename);


--
-- Name: ix_hangfire_job_statename_is_not_null; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_job_statename_is_not_null ON hangfire.job USING btree (statename) INCLUDE (id) WHERE (statename IS NOT NULL);


--
-- Name: ix_hangfire_jobparameter_jobidandname; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_jobparameter_jobidandname ON hangfire.jobparameter USING btree (jobid, name);


--
-- Name: ix_hangfire_jobqueue_fetchedat_queue_jobid; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_jobqueue_fetchedat_queue_jobid ON hangfire.jobqueue USING btree (fetchedat NULLS FIRST, queue, jobid);


--
-- Name: ix_hangfire_jobqueue_jobidandqueue; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_jobqueue_jobidandqueue ON hangfire.jobqueue USING btree (jobid, queue);


--
-- Name: ix_hangfire_jobqueue_queueandfetchedat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_jobqueue_queueandfetchedat ON hangfire.jobqueue USING btree (queue, fetchedat);


--
-- Name: ix_hangfire_list_expireat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_list_expireat ON hangfire.list USING btree (expireat);


--
-- Name: ix_hangfire_set_expireat; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_set_expireat ON hangfire.set USING btree (expireat);


--
-- Name: ix_hangfire_set_key_score; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_set_key_score ON hangfire.set USING btree (key, score);


--
-- Name: ix_hangfire_state_jobid; Type: INDEX; Schema: hangfire; Owner: healthcare
--

CREATE INDEX ix_hangfire_state_jobid ON hangfire.state USING btree (jobid);


--
-- Name: ix_allergies_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_allergies_clinic_id_id ON public.allergies USING btree (clinic_id, id);


--
-- Name: ix_allergies_patient_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_allergies_patient_id_id ON public.allergies USING btree (patient_id, id);


--
-- Name: ix_allergies_recorded_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_allergies_recorded_by_user_id ON public.allergies USING btree (recorded_by_user_id);


--
-- Name: ix_appointment_exports_clinic_id_created_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointment_exports_clinic_id_created_at ON public.appointment_exports USING btree (clinic_id, created_at);


--
-- Name: ix_appointment_exports_download_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_appointment_exports_download_token_hash ON public.appointment_exports USING btree (download_token_hash);


--
-- Name: ix_appointment_exports_requested_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointment_exports_requested_by_user_id ON public.appointment_exports USING btree (requested_by_user_id);


--
-- Name: ix_appointment_series_patient_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointment_series_patient_id ON public.appointment_series USING btree (patient_id);


--
-- Name: ix_appointment_series_practitioner_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointment_series_practitioner_id ON public.appointment_series USING btree (practitioner_id);


--
-- Name: ix_appointment_types_clinic_id_name; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_appointment_types_clinic_id_name ON public.appointment_types USING btree (clinic_id, name);


--
-- Name: ix_appointments_active_now; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_active_now ON public.appointments USING btree (clinic_id) WHERE ((status)::text = ANY ((ARRAY['checked_in'::character varying, 'in_progress'::character varying])::text[]));


--
-- Name: ix_appointments_appointment_type_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_appointment_type_id ON public.appointments USING btree (appointment_type_id);


--
-- Name: ix_appointments_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_clinic_id_id ON public.appointments USING btree (clinic_id, id);


--
-- Name: ix_appointments_clinic_id_starts_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_clinic_id_starts_at ON public.appointments USING btree (clinic_id, starts_at);


--
-- Name: ix_appointments_held; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_held ON public.appointments USING btree (hold_expires_at, practitioner_id) WHERE ((status)::text = 'held'::text);


--
-- Name: ix_appointments_location_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_location_id ON public.appointments USING btree (location_id);


--
-- Name: ix_appointments_patient_id_starts_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_patient_id_starts_at ON public.appointments USING btree (patient_id, starts_at);


--
-- Name: ix_appointments_practitioner_id_starts_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_practitioner_id_starts_at ON public.appointments USING btree (practitioner_id, starts_at);


--
-- Name: ix_appointments_series_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_appointments_series_id ON public.appointments USING btree (series_id) WHERE (series_id IS NOT NULL);


--
-- Name: ix_audit_events_chain_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_audit_events_chain_id_id ON public.audit_events USING btree (chain_id, id);


--
-- Name: ix_audit_events_clinic_id_occurred_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_audit_events_clinic_id_occurred_at ON public.audit_events USING btree (clinic_id, occurred_at);


--
-- Name: ix_audit_events_patient_id_occurred_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_audit_events_patient_id_occurred_at ON public.audit_events USING btree (patient_id, occurred_at);


--
-- Name: ix_audit_events_user_id_occurred_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_audit_events_user_id_occurred_at ON public.audit_events USING btree (user_id, occurred_at);


--
-- Name: ix_bulk_export_files_export_id_type_sequence; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_bulk_export_files_export_id_type_sequence ON public.bulk_export_files USING btree (export_id, type, sequence);


--
-- Name: ix_bulk_exports_expires_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_bulk_exports_expires_at ON public.bulk_exports USING btree (expires_at);


--
-- Name: ix_bulk_exports_group_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_bulk_exports_group_id ON public.bulk_exports USING btree (group_id);


--
-- Name: ix_bulk_exports_unfinished; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_bulk_exports_unfinished ON public.bulk_exports USING btree (requester_subject, requester_client_id) NULLS NOT DISTINCT WHERE ((status)::text = ANY ((ARRAY['pending'::character varying, 'running'::character varying])::text[]));


--
-- Name: ix_client_assertion_uses_expires_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_client_assertion_uses_expires_at ON public.client_assertion_uses USING btree (expires_at);


--
-- Name: ix_clinic_apps_client_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_clinic_apps_client_id ON public.clinic_apps USING btree (client_id);


--
-- Name: ix_clinic_apps_clinic_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinic_apps_clinic_id ON public.clinic_apps USING btree (clinic_id);


--
-- Name: ix_clinic_apps_created_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinic_apps_created_by_user_id ON public.clinic_apps USING btree (created_by_user_id);


--
-- Name: ix_clinic_memberships_clinic_id_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_clinic_memberships_clinic_id_user_id ON public.clinic_memberships USING btree (clinic_id, user_id);


--
-- Name: ix_clinic_memberships_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinic_memberships_user_id ON public.clinic_memberships USING btree (user_id);


--
-- Name: ix_clinical_notes_author_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinical_notes_author_user_id ON public.clinical_notes USING btree (author_user_id);


--
-- Name: ix_clinical_notes_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinical_notes_clinic_id_id ON public.clinical_notes USING btree (clinic_id, id);


--
-- Name: ix_clinical_notes_encounter_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinical_notes_encounter_id ON public.clinical_notes USING btree (encounter_id);


--
-- Name: ix_clinical_notes_patient_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinical_notes_patient_id_id ON public.clinical_notes USING btree (patient_id, id);


--
-- Name: ix_clinical_notes_released_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_clinical_notes_released_by_user_id ON public.clinical_notes USING btree (released_by_user_id);


--
-- Name: ix_clinics_name; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_clinics_name ON public.clinics USING btree (name);


--
-- Name: ix_email_verifications_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_email_verifications_token_hash ON public.email_verifications USING btree (token_hash);


--
-- Name: ix_email_verifications_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_email_verifications_user_id ON public.email_verifications USING btree (user_id);


--
-- Name: ix_emergency_access_grants_patient_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_emergency_access_grants_patient_id ON public.emergency_access_grants USING btree (patient_id);


--
-- Name: ix_emergency_access_grants_user_id_patient_id_expires_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_emergency_access_grants_user_id_patient_id_expires_at ON public.emergency_access_grants USING btree (user_id, patient_id, expires_at);


--
-- Name: ix_encounters_appointment_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_encounters_appointment_id ON public.encounters USING btree (appointment_id) WHERE (appointment_id IS NOT NULL);


--
-- Name: ix_encounters_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_encounters_clinic_id_id ON public.encounters USING btree (clinic_id, id);


--
-- Name: ix_encounters_clinician_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_encounters_clinician_user_id ON public.encounters USING btree (clinician_user_id);


--
-- Name: ix_encounters_patient_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_encounters_patient_id_id ON public.encounters USING btree (patient_id, id);


--
-- Name: ix_idempotency_keys_expires_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_idempotency_keys_expires_at ON public.idempotency_keys USING btree (expires_at);


--
-- Name: ix_idempotency_keys_user_id_key; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_idempotency_keys_user_id_key ON public.idempotency_keys USING btree (user_id, key) NULLS NOT DISTINCT;


--
-- Name: ix_invitations_clinic_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_invitations_clinic_id ON public.invitations USING btree (clinic_id);


--
-- Name: ix_invitations_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_invitations_token_hash ON public.invitations USING btree (token_hash);


--
-- Name: ix_locations_clinic_id_name; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_locations_clinic_id_name ON public.locations USING btree (clinic_id, name);


--
-- Name: ix_log_events_errors; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_errors ON ONLY public.log_events USING btree (logged_at, id) WHERE (level >= 4);


--
-- Name: ix_log_events_instance; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_instance ON ONLY public.log_events USING btree (instance, logged_at, id);


--
-- Name: ix_log_events_message; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_message ON ONLY public.log_events USING gin (message public.gin_trgm_ops);


--
-- Name: ix_log_events_request_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_request_id ON ONLY public.log_events USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: ix_log_events_source; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_source ON ONLY public.log_events USING btree (source, logged_at, id);


--
-- Name: ix_log_events_trace_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_trace_id ON ONLY public.log_events USING btree (trace_id) WHERE (trace_id IS NOT NULL);


--
-- Name: ix_log_events_warnings; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_log_events_warnings ON ONLY public.log_events USING btree (logged_at, id) WHERE (level >= 3);


--
-- Name: ix_medications_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_medications_clinic_id_id ON public.medications USING btree (clinic_id, id);


--
-- Name: ix_medications_encounter_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_medications_encounter_id ON public.medications USING btree (encounter_id);


--
-- Name: ix_medications_patient_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_medications_patient_id_id ON public.medications USING btree (patient_id, id);


--
-- Name: ix_medications_prescriber_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_medications_prescriber_user_id ON public.medications USING btree (prescriber_user_id);


--
-- Name: ix_mfa_recovery_codes_user_id_code_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_mfa_recovery_codes_user_id_code_hash ON public.mfa_recovery_codes USING btree (user_id, code_hash);


--
-- Name: ix_note_amendments_author_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_note_amendments_author_user_id ON public.note_amendments USING btree (author_user_id);


--
-- Name: ix_note_amendments_note_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_note_amendments_note_id_id ON public.note_amendments USING btree (note_id, id);


--
-- Name: ix_notifications_dedupe_key; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_notifications_dedupe_key ON public.notifications USING btree (dedupe_key);


--
-- Name: ix_notifications_patient_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_notifications_patient_id ON public.notifications USING btree (patient_id) WHERE (patient_id IS NOT NULL);


--
-- Name: ix_notifications_status_created_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_notifications_status_created_at ON public.notifications USING btree (status, created_at);


--
-- Name: ix_oauth_applications_client_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_oauth_applications_client_id ON public.oauth_applications USING btree (client_id);


--
-- Name: ix_oauth_authorizations_application_id_status_subject_type; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_oauth_authorizations_application_id_status_subject_type ON public.oauth_authorizations USING btree (application_id, status, subject, type);


--
-- Name: ix_oauth_scopes_name; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_oauth_scopes_name ON public.oauth_scopes USING btree (name);


--
-- Name: ix_oauth_tokens_application_id_status_subject_type; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_oauth_tokens_application_id_status_subject_type ON public.oauth_tokens USING btree (application_id, status, subject, type);


--
-- Name: ix_oauth_tokens_authorization_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_oauth_tokens_authorization_id ON public.oauth_tokens USING btree (authorization_id);


--
-- Name: ix_oauth_tokens_reference_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_oauth_tokens_reference_id ON public.oauth_tokens USING btree (reference_id);


--
-- Name: ix_outbox_messages_created_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_outbox_messages_created_at ON public.outbox_messages USING btree (created_at) WHERE (processed_at IS NULL);


--
-- Name: ix_password_resets_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_password_resets_token_hash ON public.password_resets USING btree (token_hash);


--
-- Name: ix_password_resets_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_password_resets_user_id ON public.password_resets USING btree (user_id);


--
-- Name: ix_patient_link_offers_clinic_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patient_link_offers_clinic_id ON public.patient_link_offers USING btree (clinic_id);


--
-- Name: ix_patient_link_offers_patient_id_created_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patient_link_offers_patient_id_created_at ON public.patient_link_offers USING btree (patient_id, created_at);


--
-- Name: ix_patient_link_offers_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_patient_link_offers_token_hash ON public.patient_link_offers USING btree (token_hash);


--
-- Name: ix_patients_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patients_clinic_id_id ON public.patients USING btree (clinic_id, id);


--
-- Name: ix_patients_clinic_id_insurance_member_id_index; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patients_clinic_id_insurance_member_id_index ON public.patients USING btree (clinic_id, insurance_member_id_index);


--
-- Name: ix_patients_clinic_id_national_id_index; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patients_clinic_id_national_id_index ON public.patients USING btree (clinic_id, national_id_index);


--
-- Name: ix_patients_clinic_id_search_name_date_of_birth; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patients_clinic_id_search_name_date_of_birth ON public.patients USING btree (clinic_id, search_name text_pattern_ops, date_of_birth);


--
-- Name: ix_patients_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_patients_user_id ON public.patients USING btree (user_id);


--
-- Name: ix_practitioners_clinic_id_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_practitioners_clinic_id_user_id ON public.practitioners USING btree (clinic_id, user_id) WHERE (user_id IS NOT NULL);


--
-- Name: ix_practitioners_specialties; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_practitioners_specialties ON public.practitioners USING gin (specialties);


--
-- Name: ix_practitioners_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_practitioners_user_id ON public.practitioners USING btree (user_id);


--
-- Name: ix_problem_list_items_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_problem_list_items_clinic_id_id ON public.problem_list_items USING btree (clinic_id, id);


--
-- Name: ix_problem_list_items_patient_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_problem_list_items_patient_id_id ON public.problem_list_items USING btree (patient_id, id);


--
-- Name: ix_problem_list_items_recorded_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_problem_list_items_recorded_by_user_id ON public.problem_list_items USING btree (recorded_by_user_id);


--
-- Name: ix_refresh_tokens_session_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_refresh_tokens_session_id ON public.refresh_tokens USING btree (session_id);


--
-- Name: ix_refresh_tokens_token_hash; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_refresh_tokens_token_hash ON public.refresh_tokens USING btree (token_hash);


--
-- Name: ix_sessions_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_sessions_user_id ON public.sessions USING btree (user_id);


--
-- Name: ix_time_off_practitioner_id_starts_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_time_off_practitioner_id_starts_at ON public.time_off USING btree (practitioner_id, starts_at);


--
-- Name: ix_users_email; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE UNIQUE INDEX ix_users_email ON public.users USING btree (email);


--
-- Name: ix_vital_signs_clinic_id_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_vital_signs_clinic_id_id ON public.vital_signs USING btree (clinic_id, id);


--
-- Name: ix_vital_signs_encounter_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_vital_signs_encounter_id ON public.vital_signs USING btree (encounter_id);


--
-- Name: ix_vital_signs_patient_id_kind_measured_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_vital_signs_patient_id_kind_measured_at ON public.vital_signs USING btree (patient_id, kind, measured_at DESC);


--
-- Name: ix_vital_signs_patient_id_measured_at_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_vital_signs_patient_id_measured_at_id ON public.vital_signs USING btree (patient_id, measured_at DESC, id DESC);


--
-- Name: ix_vital_signs_recorded_by_user_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_vital_signs_recorded_by_user_id ON public.vital_signs USING btree (recorded_by_user_id);


--
-- Name: ix_waitlist_entries_appointment_type_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_waitlist_entries_appointment_type_id ON public.waitlist_entries USING btree (appointment_type_id);


--
-- Name: ix_waitlist_entries_offered_appointment_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_waitlist_entries_offered_appointment_id ON public.waitlist_entries USING btree (offered_appointment_id);


--
-- Name: ix_waitlist_entries_patient_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_waitlist_entries_patient_id ON public.waitlist_entries USING btree (patient_id);


--
-- Name: ix_waitlist_entries_practitioner_id_status_created_at; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_waitlist_entries_practitioner_id_status_created_at ON public.waitlist_entries USING btree (practitioner_id, status, created_at);


--
-- Name: ix_working_hours_location_id; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_working_hours_location_id ON public.working_hours USING btree (location_id);


--
-- Name: ix_working_hours_practitioner_id_day; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX ix_working_hours_practitioner_id_day ON public.working_hours USING btree (practitioner_id, day);


--
-- Name: log_events_p<day 0>_instance_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_instance_logged_at_id_idx ON public.log_events_p<day 0> USING btree (instance, logged_at, id);


--
-- Name: log_events_p<day 0>_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_logged_at_id_idx ON public.log_events_p<day 0> USING btree (logged_at, id) WHERE (level >= 3);


--
-- Name: log_events_p<day 0>_logged_at_id_idx1; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_logged_at_id_idx1 ON public.log_events_p<day 0> USING btree (logged_at, id) WHERE (level >= 4);


--
-- Name: log_events_p<day 0>_message_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_message_idx ON public.log_events_p<day 0> USING gin (message public.gin_trgm_ops);


--
-- Name: log_events_p<day 0>_request_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_request_id_idx ON public.log_events_p<day 0> USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: log_events_p<day 0>_source_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_source_logged_at_id_idx ON public.log_events_p<day 0> USING btree (source, logged_at, id);


--
-- Name: log_events_p<day 0>_trace_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 0>_trace_id_idx ON public.log_events_p<day 0> USING btree (trace_id) WHERE (trace_id IS NOT NULL);


--
-- Name: log_events_p<day 1>_instance_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_instance_logged_at_id_idx ON public.log_events_p<day 1> USING btree (instance, logged_at, id);


--
-- Name: log_events_p<day 1>_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_logged_at_id_idx ON public.log_events_p<day 1> USING btree (logged_at, id) WHERE (level >= 3);


--
-- Name: log_events_p<day 1>_logged_at_id_idx1; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_logged_at_id_idx1 ON public.log_events_p<day 1> USING btree (logged_at, id) WHERE (level >= 4);


--
-- Name: log_events_p<day 1>_message_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_message_idx ON public.log_events_p<day 1> USING gin (message public.gin_trgm_ops);


--
-- Name: log_events_p<day 1>_request_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_request_id_idx ON public.log_events_p<day 1> USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: log_events_p<day 1>_source_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_source_logged_at_id_idx ON public.log_events_p<day 1> USING btree (source, logged_at, id);


--
-- Name: log_events_p<day 1>_trace_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 1>_trace_id_idx ON public.log_events_p<day 1> USING btree (trace_id) WHERE (trace_id IS NOT NULL);


--
-- Name: log_events_p<day 2>_instance_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_instance_logged_at_id_idx ON public.log_events_p<day 2> USING btree (instance, logged_at, id);


--
-- Name: log_events_p<day 2>_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_logged_at_id_idx ON public.log_events_p<day 2> USING btree (logged_at, id) WHERE (level >= 3);


--
-- Name: log_events_p<day 2>_logged_at_id_idx1; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_logged_at_id_idx1 ON public.log_events_p<day 2> USING btree (logged_at, id) WHERE (level >= 4);


--
-- Name: log_events_p<day 2>_message_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_message_idx ON public.log_events_p<day 2> USING gin (message public.gin_trgm_ops);


--
-- Name: log_events_p<day 2>_request_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_request_id_idx ON public.log_events_p<day 2> USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: log_events_p<day 2>_source_logged_at_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_source_logged_at_id_idx ON public.log_events_p<day 2> USING btree (source, logged_at, id);


--
-- Name: log_events_p<day 2>_trace_id_idx; Type: INDEX; Schema: public; Owner: healthcare
--

CREATE INDEX log_events_p<day 2>_trace_id_idx ON public.log_events_p<day 2> USING btree (trace_id) WHERE (trace_id IS NOT NULL);


--
-- Name: log_events_p<day 0>_instance_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_instance ATTACH PARTITION public.log_events_p<day 0>_instance_logged_at_id_idx;


--
-- Name: log_events_p<day 0>_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_warnings ATTACH PARTITION public.log_events_p<day 0>_logged_at_id_idx;


--
-- Name: log_events_p<day 0>_logged_at_id_idx1; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_errors ATTACH PARTITION public.log_events_p<day 0>_logged_at_id_idx1;


--
-- Name: log_events_p<day 0>_message_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_message ATTACH PARTITION public.log_events_p<day 0>_message_idx;


--
-- Name: log_events_p<day 0>_pkey; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.pk_log_events ATTACH PARTITION public.log_events_p<day 0>_pkey;


--
-- Name: log_events_p<day 0>_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_request_id ATTACH PARTITION public.log_events_p<day 0>_request_id_idx;


--
-- Name: log_events_p<day 0>_source_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_source ATTACH PARTITION public.log_events_p<day 0>_source_logged_at_id_idx;


--
-- Name: log_events_p<day 0>_trace_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_trace_id ATTACH PARTITION public.log_events_p<day 0>_trace_id_idx;


--
-- Name: log_events_p<day 1>_instance_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_instance ATTACH PARTITION public.log_events_p<day 1>_instance_logged_at_id_idx;


--
-- Name: log_events_p<day 1>_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_warnings ATTACH PARTITION public.log_events_p<day 1>_logged_at_id_idx;


--
-- Name: log_events_p<day 1>_logged_at_id_idx1; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_errors ATTACH PARTITION public.log_events_p<day 1>_logged_at_id_idx1;


--
-- Name: log_events_p<day 1>_message_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_message ATTACH PARTITION public.log_events_p<day 1>_message_idx;


--
-- Name: log_events_p<day 1>_pkey; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.pk_log_events ATTACH PARTITION public.log_events_p<day 1>_pkey;


--
-- Name: log_events_p<day 1>_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_request_id ATTACH PARTITION public.log_events_p<day 1>_request_id_idx;


--
-- Name: log_events_p<day 1>_source_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_source ATTACH PARTITION public.log_events_p<day 1>_source_logged_at_id_idx;


--
-- Name: log_events_p<day 1>_trace_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_trace_id ATTACH PARTITION public.log_events_p<day 1>_trace_id_idx;


--
-- Name: log_events_p<day 2>_instance_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_instance ATTACH PARTITION public.log_events_p<day 2>_instance_logged_at_id_idx;


--
-- Name: log_events_p<day 2>_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_warnings ATTACH PARTITION public.log_events_p<day 2>_logged_at_id_idx;


--
-- Name: log_events_p<day 2>_logged_at_id_idx1; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_errors ATTACH PARTITION public.log_events_p<day 2>_logged_at_id_idx1;


--
-- Name: log_events_p<day 2>_message_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_message ATTACH PARTITION public.log_events_p<day 2>_message_idx;


--
-- Name: log_events_p<day 2>_pkey; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.pk_log_events ATTACH PARTITION public.log_events_p<day 2>_pkey;


--
-- Name: log_events_p<day 2>_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_request_id ATTACH PARTITION public.log_events_p<day 2>_request_id_idx;


--
-- Name: log_events_p<day 2>_source_logged_at_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_source ATTACH PARTITION public.log_events_p<day 2>_source_logged_at_id_idx;


--
-- Name: log_events_p<day 2>_trace_id_idx; Type: INDEX ATTACH; Schema: public; Owner: healthcare
--

ALTER INDEX public.ix_log_events_trace_id ATTACH PARTITION public.log_events_p<day 2>_trace_id_idx;


--
-- Name: audit_events audit_events_chain; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER audit_events_chain BEFORE INSERT ON public.audit_events FOR EACH ROW WHEN ((new.hash IS NULL)) EXECUTE FUNCTION public.audit_events_chain();


--
-- Name: audit_events audit_events_no_truncate; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION public.audit_events_append_only();


--
-- Name: audit_events audit_events_no_update_or_delete; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER audit_events_no_update_or_delete BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.audit_events_append_only();


--
-- Name: clinical_notes clinical_notes_signed_immutable; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER clinical_notes_signed_immutable BEFORE DELETE OR UPDATE ON public.clinical_notes FOR EACH ROW EXECUTE FUNCTION public.clinical_notes_signed_immutable();


--
-- Name: note_amendments note_amendments_append_only; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER note_amendments_append_only BEFORE INSERT OR DELETE OR UPDATE ON public.note_amendments FOR EACH ROW EXECUTE FUNCTION public.note_amendments_append_only();


--
-- Name: outbox_messages outbox_messages_notify; Type: TRIGGER; Schema: public; Owner: healthcare
--

CREATE TRIGGER outbox_messages_notify AFTER INSERT ON public.outbox_messages FOR EACH STATEMENT EXECUTE FUNCTION public.outbox_messages_notify();


--
-- Name: jobparameter jobparameter_jobid_fkey; Type: FK CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.jobparameter
    ADD CONSTRAINT jobparameter_jobid_fkey FOREIGN KEY (jobid) REFERENCES hangfire.job(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: state state_jobid_fkey; Type: FK CONSTRAINT; Schema: hangfire; Owner: healthcare
--

ALTER TABLE ONLY hangfire.state
    ADD CONSTRAINT state_jobid_fkey FOREIGN KEY (jobid) REFERENCES hangfire.job(id) ON UPDATE CASCADE ON DELETE CASCADE;


--
-- Name: allergies fk_allergies_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.allergies
    ADD CONSTRAINT fk_allergies_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: allergies fk_allergies_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.allergies
    ADD CONSTRAINT fk_allergies_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: allergies fk_allergies_users_recorded_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.allergies
    ADD CONSTRAINT fk_allergies_users_recorded_by_user_id FOREIGN KEY (recorded_by_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: appointment_exports fk_appointment_exports_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_exports
    ADD CONSTRAINT fk_appointment_exports_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE CASCADE;


--
-- Name: appointment_exports fk_appointment_exports_users_requested_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_exports
    ADD CONSTRAINT fk_appointment_exports_users_requested_by_user_id FOREIGN KEY (requested_by_user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: appointment_reminders fk_appointment_reminders_appointments_appointment_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_reminders
    ADD CONSTRAINT fk_appointment_reminders_appointments_appointment_id FOREIGN KEY (appointment_id) REFERENCES public.appointments(id) ON DELETE CASCADE;


--
-- Name: appointment_series fk_appointment_series_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_series
    ADD CONSTRAINT fk_appointment_series_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: appointment_series fk_appointment_series_practitioners_practitioner_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_series
    ADD CONSTRAINT fk_appointment_series_practitioners_practitioner_id FOREIGN KEY (practitioner_id) REFERENCES public.practitioners(id) ON DELETE RESTRICT;


--
-- Name: appointment_types fk_appointment_types_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointment_types
    ADD CONSTRAINT fk_appointment_types_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_appointment_series_series_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_appointment_series_series_id FOREIGN KEY (series_id) REFERENCES public.appointment_series(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_appointment_types_appointment_type_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_appointment_types_appointment_type_id FOREIGN KEY (appointment_type_id) REFERENCES public.appointment_types(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_locations_location_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_locations_location_id FOREIGN KEY (location_id) REFERENCES public.locations(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: appointments fk_appointments_practitioners_practitioner_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.appointments
    ADD CONSTRAINT fk_appointments_practitioners_practitioner_id FOREIGN KEY (practitioner_id) REFERENCES public.practitioners(id) ON DELETE RESTRICT;


--
-- Name: bulk_export_files fk_bulk_export_files_bulk_exports_export_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.bulk_export_files
    ADD CONSTRAINT fk_bulk_export_files_bulk_exports_export_id FOREIGN KEY (export_id) REFERENCES public.bulk_exports(id) ON DELETE CASCADE;


--
-- Name: bulk_exports fk_bulk_exports_clinics_group_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.bulk_exports
    ADD CONSTRAINT fk_bulk_exports_clinics_group_id FOREIGN KEY (group_id) REFERENCES public.clinics(id) ON DELETE CASCADE;


--
-- Name: clinic_apps fk_clinic_apps_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_apps
    ADD CONSTRAINT fk_clinic_apps_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE CASCADE;


--
-- Name: clinic_apps fk_clinic_apps_users_created_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_apps
    ADD CONSTRAINT fk_clinic_apps_users_created_by_user_id FOREIGN KEY (created_by_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: clinic_memberships fk_clinic_memberships_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_memberships
    ADD CONSTRAINT fk_clinic_memberships_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: clinic_memberships fk_clinic_memberships_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinic_memberships
    ADD CONSTRAINT fk_clinic_memberships_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: clinical_notes fk_clinical_notes_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT fk_clinical_notes_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: clinical_notes fk_clinical_notes_encounters_encounter_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT fk_clinical_notes_encounters_encounter_id FOREIGN KEY (encounter_id) REFERENCES public.encounters(id) ON DELETE RESTRICT;


--
-- Name: clinical_notes fk_clinical_notes_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT fk_clinical_notes_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: clinical_notes fk_clinical_notes_users_author_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT fk_clinical_notes_users_author_user_id FOREIGN KEY (author_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: clinical_notes fk_clinical_notes_users_released_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.clinical_notes
    ADD CONSTRAINT fk_clinical_notes_users_released_by_user_id FOREIGN KEY (released_by_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: email_verifications fk_email_verifications_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.email_verifications
    ADD CONSTRAINT fk_email_verifications_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: emergency_access_grants fk_emergency_access_grants_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.emergency_access_grants
    ADD CONSTRAINT fk_emergency_access_grants_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE CASCADE;


--
-- Name: emergency_access_grants fk_emergency_access_grants_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.emergency_access_grants
    ADD CONSTRAINT fk_emergency_access_grants_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: encounters fk_encounters_appointments_appointment_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.encounters
    ADD CONSTRAINT fk_encounters_appointments_appointment_id FOREIGN KEY (appointment_id) REFERENCES public.appointments(id) ON DELETE RESTRICT;


--
-- Name: encounters fk_encounters_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.encounters
    ADD CONSTRAINT fk_encounters_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: encounters fk_encounters_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.encounters
    ADD CONSTRAINT fk_encounters_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: encounters fk_encounters_users_clinician_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.encounters
    ADD CONSTRAINT fk_encounters_users_clinician_user_id FOREIGN KEY (clinician_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: invitations fk_invitations_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.invitations
    ADD CONSTRAINT fk_invitations_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE CASCADE;


--
-- Name: locations fk_locations_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.locations
    ADD CONSTRAINT fk_locations_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: medications fk_medications_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.medications
    ADD CONSTRAINT fk_medications_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: medications fk_medications_encounters_encounter_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.medications
    ADD CONSTRAINT fk_medications_encounters_encounter_id FOREIGN KEY (encounter_id) REFERENCES public.encounters(id) ON DELETE RESTRICT;


--
-- Name: medications fk_medications_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.medications
    ADD CONSTRAINT fk_medications_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: medications fk_medications_users_prescriber_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.medications
    ADD CONSTRAINT fk_medications_users_prescriber_user_id FOREIGN KEY (prescriber_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: mfa_recovery_codes fk_mfa_recovery_codes_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.mfa_recovery_codes
    ADD CONSTRAINT fk_mfa_recovery_codes_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: note_amendments fk_note_amendments_clinical_notes_note_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.note_amendments
    ADD CONSTRAINT fk_note_amendments_clinical_notes_note_id FOREIGN KEY (note_id) REFERENCES public.clinical_notes(id) ON DELETE RESTRICT;


--
-- Name: note_amendments fk_note_amendments_users_author_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.note_amendments
    ADD CONSTRAINT fk_note_amendments_users_author_user_id FOREIGN KEY (author_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: oauth_authorizations fk_oauth_authorizations_oauth_applications_application_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_authorizations
    ADD CONSTRAINT fk_oauth_authorizations_oauth_applications_application_id FOREIGN KEY (application_id) REFERENCES public.oauth_applications(id);


--
-- Name: oauth_tokens fk_oauth_tokens_oauth_applications_application_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT fk_oauth_tokens_oauth_applications_application_id FOREIGN KEY (application_id) REFERENCES public.oauth_applications(id);


--
-- Name: oauth_tokens fk_oauth_tokens_oauth_authorizations_authorization_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT fk_oauth_tokens_oauth_authorizations_authorization_id FOREIGN KEY (authorization_id) REFERENCES public.oauth_authorizations(id);


--
-- Name: password_resets fk_password_resets_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT fk_password_resets_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: patient_link_offers fk_patient_link_offers_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patient_link_offers
    ADD CONSTRAINT fk_patient_link_offers_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: patient_link_offers fk_patient_link_offers_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patient_link_offers
    ADD CONSTRAINT fk_patient_link_offers_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE CASCADE;


--
-- Name: patients fk_patients_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT fk_patients_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: patients fk_patients_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.patients
    ADD CONSTRAINT fk_patients_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: practitioners fk_practitioners_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.practitioners
    ADD CONSTRAINT fk_practitioners_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: practitioners fk_practitioners_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.practitioners
    ADD CONSTRAINT fk_practitioners_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: problem_list_items fk_problem_list_items_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.problem_list_items
    ADD CONSTRAINT fk_problem_list_items_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: problem_list_items fk_problem_list_items_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.problem_list_items
    ADD CONSTRAINT fk_problem_list_items_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: problem_list_items fk_problem_list_items_users_recorded_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.problem_list_items
    ADD CONSTRAINT fk_problem_list_items_users_recorded_by_user_id FOREIGN KEY (recorded_by_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: refresh_tokens fk_refresh_tokens_sessions_session_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.refresh_tokens
    ADD CONSTRAINT fk_refresh_tokens_sessions_session_id FOREIGN KEY (session_id) REFERENCES public.sessions(id) ON DELETE CASCADE;


--
-- Name: sessions fk_sessions_users_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT fk_sessions_users_user_id FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: time_off fk_time_off_practitioners_practitioner_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.time_off
    ADD CONSTRAINT fk_time_off_practitioners_practitioner_id FOREIGN KEY (practitioner_id) REFERENCES public.practitioners(id) ON DELETE CASCADE;


--
-- Name: vital_signs fk_vital_signs_clinics_clinic_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.vital_signs
    ADD CONSTRAINT fk_vital_signs_clinics_clinic_id FOREIGN KEY (clinic_id) REFERENCES public.clinics(id) ON DELETE RESTRICT;


--
-- Name: vital_signs fk_vital_signs_encounters_encounter_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.vital_signs
    ADD CONSTRAINT fk_vital_signs_encounters_encounter_id FOREIGN KEY (encounter_id) REFERENCES public.encounters(id) ON DELETE RESTRICT;


--
-- Name: vital_signs fk_vital_signs_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.vital_signs
    ADD CONSTRAINT fk_vital_signs_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE RESTRICT;


--
-- Name: vital_signs fk_vital_signs_users_recorded_by_user_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.vital_signs
    ADD CONSTRAINT fk_vital_signs_users_recorded_by_user_id FOREIGN KEY (recorded_by_user_id) REFERENCES public.users(id) ON DELETE RESTRICT;


--
-- Name: waitlist_entries fk_waitlist_entries_appointment_types_appointment_type_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.waitlist_entries
    ADD CONSTRAINT fk_waitlist_entries_appointment_types_appointment_type_id FOREIGN KEY (appointment_type_id) REFERENCES public.appointment_types(id) ON DELETE RESTRICT;


--
-- Name: waitlist_entries fk_waitlist_entries_appointments_offered_appointment_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.waitlist_entries
    ADD CONSTRAINT fk_waitlist_entries_appointments_offered_appointment_id FOREIGN KEY (offered_appointment_id) REFERENCES public.appointments(id) ON DELETE SET NULL;


--
-- Name: waitlist_entries fk_waitlist_entries_patients_patient_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.waitlist_entries
    ADD CONSTRAINT fk_waitlist_entries_patients_patient_id FOREIGN KEY (patient_id) REFERENCES public.patients(id) ON DELETE CASCADE;


--
-- Name: waitlist_entries fk_waitlist_entries_practitioners_practitioner_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.waitlist_entries
    ADD CONSTRAINT fk_waitlist_entries_practitioners_practitioner_id FOREIGN KEY (practitioner_id) REFERENCES public.practitioners(id) ON DELETE CASCADE;


--
-- Name: working_hours fk_working_hours_locations_location_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.working_hours
    ADD CONSTRAINT fk_working_hours_locations_location_id FOREIGN KEY (location_id) REFERENCES public.locations(id) ON DELETE RESTRICT;


--
-- Name: working_hours fk_working_hours_practitioners_practitioner_id; Type: FK CONSTRAINT; Schema: public; Owner: healthcare
--

ALTER TABLE ONLY public.working_hours
    ADD CONSTRAINT fk_working_hours_practitioners_practitioner_id FOREIGN KEY (practitioner_id) REFERENCES public.practitioners(id) ON DELETE CASCADE;


--
-- Name: SCHEMA hangfire; Type: ACL; Schema: -; Owner: healthcare
--

GRANT USAGE ON SCHEMA hangfire TO healthcare_runtime;
GRANT USAGE ON SCHEMA hangfire TO healthcare_readonly;


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: pg_database_owner
--

GRANT USAGE ON SCHEMA public TO healthcare_runtime;
GRANT USAGE ON SCHEMA public TO healthcare_readonly;


--
-- Name: TABLE audit_events; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT ON TABLE public.audit_events TO healthcare_runtime;
GRANT SELECT ON TABLE public.audit_events TO healthcare_readonly;


--
-- Name: FUNCTION log_events_create_partitions(first_day date, days integer); Type: ACL; Schema: public; Owner: healthcare
--

REVOKE ALL ON FUNCTION public.log_events_create_partitions(first_day date, days integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.log_events_create_partitions(first_day date, days integer) TO healthcare_runtime;


--
-- Name: FUNCTION log_events_drop_partitions(older_than date); Type: ACL; Schema: public; Owner: healthcare
--

REVOKE ALL ON FUNCTION public.log_events_drop_partitions(older_than date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.log_events_drop_partitions(older_than date) TO healthcare_runtime;


--
-- Name: TABLE aggregatedcounter; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.aggregatedcounter TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.aggregatedcounter TO healthcare_readonly;


--
-- Name: SEQUENCE aggregatedcounter_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.aggregatedcounter_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.aggregatedcounter_id_seq TO healthcare_readonly;


--
-- Name: TABLE counter; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.counter TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.counter TO healthcare_readonly;


--
-- Name: SEQUENCE counter_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.counter_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.counter_id_seq TO healthcare_readonly;


--
-- Name: TABLE hash; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.hash TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.hash TO healthcare_readonly;


--
-- Name: SEQUENCE hash_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.hash_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.hash_id_seq TO healthcare_readonly;


--
-- Name: TABLE job; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.job TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.job TO healthcare_readonly;


--
-- Name: SEQUENCE job_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.job_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.job_id_seq TO healthcare_readonly;


--
-- Name: TABLE jobparameter; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.jobparameter TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.jobparameter TO healthcare_readonly;


--
-- Name: SEQUENCE jobparameter_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.jobparameter_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.jobparameter_id_seq TO healthcare_readonly;


--
-- Name: TABLE jobqueue; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.jobqueue TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.jobqueue TO healthcare_readonly;


--
-- Name: SEQUENCE jobqueue_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.jobqueue_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.jobqueue_id_seq TO healthcare_readonly;


--
-- Name: TABLE list; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.list TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.list TO healthcare_readonly;


--
-- Name: SEQUENCE list_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.list_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.list_id_seq TO healthcare_readonly;


--
-- Name: TABLE lock; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.lock TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.lock TO healthcare_readonly;


--
-- Name: TABLE schema; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.schema TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.schema TO healthcare_readonly;


--
-- Name: TABLE server; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.server TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.server TO healthcare_readonly;


--
-- Name: TABLE set; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.set TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.set TO healthcare_readonly;


--
-- Name: SEQUENCE set_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.set_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.set_id_seq TO healthcare_readonly;


--
-- Name: TABLE state; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE hangfire.state TO healthcare_runtime;
GRANT SELECT ON TABLE hangfire.state TO healthcare_readonly;


--
-- Name: SEQUENCE state_id_seq; Type: ACL; Schema: hangfire; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE hangfire.state_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE hangfire.state_id_seq TO healthcare_readonly;


--
-- Name: TABLE __ef_migrations_history; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT ON TABLE public.__ef_migrations_history TO healthcare_runtime;
GRANT SELECT ON TABLE public.__ef_migrations_history TO healthcare_readonly;


--
-- Name: TABLE allergies; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.allergies TO healthcare_runtime;
GRANT SELECT ON TABLE public.allergies TO healthcare_readonly;


--
-- Name: TABLE appointment_exports; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.appointment_exports TO healthcare_runtime;
GRANT SELECT ON TABLE public.appointment_exports TO healthcare_readonly;


--
-- Name: TABLE appointment_reminders; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.appointment_reminders TO healthcare_runtime;
GRANT SELECT ON TABLE public.appointment_reminders TO healthcare_readonly;


--
-- Name: TABLE appointment_series; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.appointment_series TO healthcare_runtime;
GRANT SELECT ON TABLE public.appointment_series TO healthcare_readonly;


--
-- Name: TABLE appointment_types; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.appointment_types TO healthcare_runtime;
GRANT SELECT ON TABLE public.appointment_types TO healthcare_readonly;


--
-- Name: TABLE appointments; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.appointments TO healthcare_runtime;
GRANT SELECT ON TABLE public.appointments TO healthcare_readonly;


--
-- Name: SEQUENCE audit_events_id_seq; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE public.audit_events_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE public.audit_events_id_seq TO healthcare_readonly;


--
-- Name: TABLE bulk_export_files; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.bulk_export_files TO healthcare_runtime;
GRANT SELECT ON TABLE public.bulk_export_files TO healthcare_readonly;


--
-- Name: TABLE bulk_exports; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.bulk_exports TO healthcare_runtime;
GRANT SELECT ON TABLE public.bulk_exports TO healthcare_readonly;


--
-- Name: TABLE client_assertion_uses; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.client_assertion_uses TO healthcare_runtime;
GRANT SELECT ON TABLE public.client_assertion_uses TO healthcare_readonly;


--
-- Name: TABLE clinic_apps; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.clinic_apps TO healthcare_runtime;
GRANT SELECT ON TABLE public.clinic_apps TO healthcare_readonly;


--
-- Name: TABLE clinic_memberships; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.clinic_memberships TO healthcare_runtime;
GRANT SELECT ON TABLE public.clinic_memberships TO healthcare_readonly;


--
-- Name: TABLE clinical_notes; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.clinical_notes TO healthcare_runtime;
GRANT SELECT ON TABLE public.clinical_notes TO healthcare_readonly;


--
-- Name: TABLE clinics; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.clinics TO healthcare_runtime;
GRANT SELECT ON TABLE public.clinics TO healthcare_readonly;


--
-- Name: TABLE data_protection_keys; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.data_protection_keys TO healthcare_runtime;
GRANT SELECT ON TABLE public.data_protection_keys TO healthcare_readonly;


--
-- Name: SEQUENCE data_protection_keys_id_seq; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,USAGE ON SEQUENCE public.data_protection_keys_id_seq TO healthcare_runtime;
GRANT SELECT ON SEQUENCE public.data_protection_keys_id_seq TO healthcare_readonly;


--
-- Name: TABLE email_verifications; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.email_verifications TO healthcare_runtime;
GRANT SELECT ON TABLE public.email_verifications TO healthcare_readonly;


--
-- Name: TABLE emergency_access_grants; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.emergency_access_grants TO healthcare_runtime;
GRANT SELECT ON TABLE public.emergency_access_grants TO healthcare_readonly;


--
-- Name: TABLE encounters; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.encounters TO healthcare_runtime;
GRANT SELECT ON TABLE public.encounters TO healthcare_readonly;


--
-- Name: TABLE idempotency_keys; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.idempotency_keys TO healthcare_runtime;
GRANT SELECT ON TABLE public.idempotency_keys TO healthcare_readonly;


--
-- Name: TABLE invitations; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.invitations TO healthcare_runtime;
GRANT SELECT ON TABLE public.invitations TO healthcare_readonly;


--
-- Name: TABLE locations; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.locations TO healthcare_runtime;
GRANT SELECT ON TABLE public.locations TO healthcare_readonly;


--
-- Name: TABLE log_events; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.log_events TO healthcare_runtime;
GRANT SELECT ON TABLE public.log_events TO healthcare_readonly;


--
-- Name: TABLE log_events_p<day 0>; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.log_events_p<day 0> TO healthcare_runtime;
GRANT SELECT ON TABLE public.log_events_p<day 0> TO healthcare_readonly;


--
-- Name: TABLE log_events_p<day 1>; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.log_events_p<day 1> TO healthcare_runtime;
GRANT SELECT ON TABLE public.log_events_p<day 1> TO healthcare_readonly;


--
-- Name: TABLE log_events_p<day 2>; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.log_events_p<day 2> TO healthcare_runtime;
GRANT SELECT ON TABLE public.log_events_p<day 2> TO healthcare_readonly;


--
-- Name: TABLE medications; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.medications TO healthcare_runtime;
GRANT SELECT ON TABLE public.medications TO healthcare_readonly;


--
-- Name: TABLE mfa_recovery_codes; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.mfa_recovery_codes TO healthcare_runtime;
GRANT SELECT ON TABLE public.mfa_recovery_codes TO healthcare_readonly;


--
-- Name: TABLE note_amendments; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.note_amendments TO healthcare_runtime;
GRANT SELECT ON TABLE public.note_amendments TO healthcare_readonly;


--
-- Name: TABLE notifications; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.notifications TO healthcare_runtime;
GRANT SELECT ON TABLE public.notifications TO healthcare_readonly;


--
-- Name: TABLE oauth_applications; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.oauth_applications TO healthcare_runtime;
GRANT SELECT ON TABLE public.oauth_applications TO healthcare_readonly;


--
-- Name: TABLE oauth_authorizations; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.oauth_authorizations TO healthcare_runtime;
GRANT SELECT ON TABLE public.oauth_authorizations TO healthcare_readonly;


--
-- Name: TABLE oauth_scopes; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.oauth_scopes TO healthcare_runtime;
GRANT SELECT ON TABLE public.oauth_scopes TO healthcare_readonly;


--
-- Name: TABLE oauth_tokens; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.oauth_tokens TO healthcare_runtime;
GRANT SELECT ON TABLE public.oauth_tokens TO healthcare_readonly;


--
-- Name: TABLE outbox_messages; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.outbox_messages TO healthcare_runtime;
GRANT SELECT ON TABLE public.outbox_messages TO healthcare_readonly;


--
-- Name: TABLE password_resets; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.password_resets TO healthcare_runtime;
GRANT SELECT ON TABLE public.password_resets TO healthcare_readonly;


--
-- Name: TABLE patient_link_offers; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.patient_link_offers TO healthcare_runtime;
GRANT SELECT ON TABLE public.patient_link_offers TO healthcare_readonly;


--
-- Name: TABLE patients; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.patients TO healthcare_runtime;
GRANT SELECT ON TABLE public.patients TO healthcare_readonly;


--
-- Name: TABLE practitioners; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.practitioners TO healthcare_runtime;
GRANT SELECT ON TABLE public.practitioners TO healthcare_readonly;


--
-- Name: TABLE problem_list_items; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.problem_list_items TO healthcare_runtime;
GRANT SELECT ON TABLE public.problem_list_items TO healthcare_readonly;


--
-- Name: TABLE refresh_tokens; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.refresh_tokens TO healthcare_runtime;
GRANT SELECT ON TABLE public.refresh_tokens TO healthcare_readonly;


--
-- Name: TABLE sessions; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.sessions TO healthcare_runtime;
GRANT SELECT ON TABLE public.sessions TO healthcare_readonly;


--
-- Name: TABLE time_off; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.time_off TO healthcare_runtime;
GRANT SELECT ON TABLE public.time_off TO healthcare_readonly;


--
-- Name: TABLE users; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.users TO healthcare_runtime;
GRANT SELECT ON TABLE public.users TO healthcare_readonly;


--
-- Name: TABLE vital_signs; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.vital_signs TO healthcare_runtime;
GRANT SELECT ON TABLE public.vital_signs TO healthcare_readonly;


--
-- Name: TABLE waitlist_entries; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.waitlist_entries TO healthcare_runtime;
GRANT SELECT ON TABLE public.waitlist_entries TO healthcare_readonly;


--
-- Name: TABLE working_hours; Type: ACL; Schema: public; Owner: healthcare
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE public.working_hours TO healthcare_runtime;
GRANT SELECT ON TABLE public.working_hours TO healthcare_readonly;


--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: hangfire; Owner: healthcare
--

ALTER DEFAULT PRIVILEGES FOR ROLE healthcare IN SCHEMA hangfire GRANT SELECT ON SEQUENCES  TO healthcare_readonly;


--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: hangfire; Owner: healthcare
--

ALTER DEFAULT PRIVILEGES FOR ROLE healthcare IN SCHEMA hangfire GRANT SELECT ON TABLES  TO healthcare_readonly;


--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: public; Owner: healthcare
--

ALTER DEFAULT PRIVILEGES FOR ROLE healthcare IN SCHEMA public GRANT SELECT ON SEQUENCES  TO healthcare_readonly;


--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: public; Owner: healthcare
--

ALTER DEFAULT PRIVILEGES FOR ROLE healthcare IN SCHEMA public GRANT SELECT ON TABLES  TO healthcare_readonly;


--
-- PostgreSQL database dump complete
--


