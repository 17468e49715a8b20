-- pgbench's counterpart of scenario 2: the appointment row by id and clinic, the columns the API reads.
-- bench.ids holds the same sample of ids the API scenario rotates over (:ids rows, numbered from 1).
\set n random(1, :ids)
SELECT a.id, a.clinic_id, a.practitioner_id, a.patient_id, a.appointment_type_id, a.location_id, a.mode,
       a.starts_at, a.ends_at, a.blocked_until, a.status, a.series_id, a.hold_expires_at, a.booked_by_user_id,
       a.checked_in_at, a.started_at, a.completed_at, a.cancelled_at, a.cancelled_by_user_id,
       a.cancellation_reason, a.created_at, a.updated_at, a.xmin
  FROM bench.ids b
  JOIN appointments a ON a.id = b.id AND a.clinic_id = b.clinic_id
 WHERE b.n = :n;
