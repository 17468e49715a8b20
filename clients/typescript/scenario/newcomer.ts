// A newcomer's first hour with the API, through the generated client only: sign in, find the clinic and its
// practitioners, availability, book, read, reschedule with If-Match, cancel, the patient's own list and access
// log, a doctor writing and reading a note, and the error answers. Type-checked against types generated from the
// running API's document, so a drift between the document and the code fails the build before anything runs.
//   HB_API_URL=http://localhost:8088 HB_CREDENTIALS_FILE=../../.data/demo-credentials.txt node dist/scenario/newcomer.js
import { readFileSync } from "node:fs";
import { createHealthcareClient, type HealthcareClient, type Problem } from "../src/index.js";

const baseUrl = required("HB_API_URL");
const passwords = readCredentials(required("HB_CREDENTIALS_FILE"));

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
}

/** The seed command's table: "  role  e-mail  password". */
function readCredentials(path: string): Map<string, { email: string; password: string }> {
  const accounts = new Map<string, { email: string; password: string }>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [role, email, password] = line.trim().split(/\s+/);
    if (role && email?.includes("@") && password) {
      accounts.set(role, { email, password });
    }
  }
  return accounts;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) {
    throw new Error(message);
  }
}

function expectProblem(error: Problem | undefined, status: number, what: string): Problem {
  check(error, `${what}: expected a ${status} problem, got success`);
  check(error.status === status, `${what}: expected ${status}, got ${error.status} (${error.title})`);
  check(error.traceId.length > 0 && error.requestId.length > 0, `${what}: the problem has no traceId or requestId`);
  return error;
}

async function signIn(role: string): Promise<HealthcareClient> {
  const account = passwords.get(role);
  check(account, `no ${role} in the credentials file`);
  const anonymous = createHealthcareClient({ baseUrl });
  const { data, error } = await anonymous.POST("/api/v1/auth/login", { body: { email: account.email, password: account.password } });
  check(data, `${role} could not sign in: ${error?.title}`);
  const token = data.accessToken;
  return createHealthcareClient({ baseUrl, accessToken: () => token });
}

function isoDate(daysFromToday: number): string {
  return new Date(Date.now() + daysFromToday * 86_400_000).toISOString().slice(0, 10);
}

async function main(): Promise<void> {
  // A wrong password is a typed 401 problem.
  const anonymous = createHealthcareClient({ baseUrl });
  const refused = await anonymous.POST("/api/v1/auth/login", { body: { email: "nobody@demo.healthcare.test", password: "not the password" } });
  expectProblem(refused.error, 401, "sign-in with a wrong password");

  const patient = await signIn("patient");
  const reception = await signIn("receptionist");
  const doctor = await signIn("doctor");

  // The clinic, its practitioners and appointment types.
  const me = await patient.GET("/api/v1/me");
  check(me.data, "GET /me failed");
  const clinicId = me.data.memberships[0]?.clinicId;
  check(clinicId, "the patient belongs to no clinic");
  const practitioners = await reception.GET("/api/v1/clinics/{clinicId}/practitioners", { params: { path: { clinicId }, query: { limit: 50 } } });
  check(practitioners.data && practitioners.data.items.length > 0, "no practitioners");
  const types = await reception.GET("/api/v1/clinics/{clinicId}/appointment-types", { params: { path: { clinicId } } });
  const consultation = types.data?.find((t) => t.mode === "in_person");
  check(consultation, "no in-person appointment type");

  // Free slots over the coming week.
  const availability = await patient.GET("/api/v1/clinics/{clinicId}/availability", {
    params: { path: { clinicId }, query: { from: isoDate(2), to: isoDate(8), appointmentTypeId: consultation.id, specialty: "general-practice" } },
  });
  check(availability.data, `availability failed: ${availability.error?.title}`);
  const offer = availability.data.find((p) => p.slots.length >= 3);
  check(offer, "no practitioner with three free slots");
  const [first, second, third] = offer.slots;
  check(first && second && third, "not enough slots");

  // The patient books; a second booking of the same time is a 409 with a conflict code.
  const booked = await patient.POST("/api/v1/me/appointments", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { clinicId, practitionerId: offer.practitionerId, appointmentTypeId: consultation.id, startsAt: first.startsAt },
  });
  check(booked.data, `booking failed: ${booked.error?.title}`);
  const appointmentId = booked.data.id;
  check(booked.response.headers.get("Location"), "a created appointment has no Location");
  const clash = await patient.POST("/api/v1/me/appointments", {
    body: { clinicId, practitionerId: offer.practitionerId, appointmentTypeId: consultation.id, startsAt: first.startsAt },
  });
  const conflict = expectProblem(clash.error, 409, "a second booking of the same time");
  check(conflict.conflict === "slot_taken" || conflict.conflict === "patient_busy", `unexpected conflict ${conflict.conflict}`);

  // Bad input is a 400 naming the field.
  const past = await patient.POST("/api/v1/me/appointments", {
    body: { clinicId, practitionerId: offer.practitionerId, appointmentTypeId: consultation.id, startsAt: "2001-01-01T09:00:00Z" },
  });
  const invalid = expectProblem(past.error, 400, "a booking in the past");
  check(invalid.errors && Object.keys(invalid.errors).length > 0, "a 400 without errors");

  // The desk reads it, and reschedules with If-Match; a stale version is a 412.
  const read = await reception.GET("/api/v1/clinics/{clinicId}/appointments/{id}", { params: { path: { clinicId, id: appointmentId } } });
  check(read.data?.status === "booked", "the booking is not booked");
  const etag = read.response.headers.get("ETag");
  check(etag, "a read appointment has no ETag");
  const moved = await reception.POST("/api/v1/clinics/{clinicId}/appointments/{id}/reschedule", {
    params: { path: { clinicId, id: appointmentId }, header: { "If-Match": etag } },
    body: { startsAt: second.startsAt },
  });
  check(moved.data?.startsAt && Date.parse(moved.data.startsAt) === Date.parse(second.startsAt), `reschedule failed: ${moved.error?.title}`);
  const stale = await reception.POST("/api/v1/clinics/{clinicId}/appointments/{id}/reschedule", {
    params: { path: { clinicId, id: appointmentId }, header: { "If-Match": etag } },
    body: { startsAt: third.startsAt },
  });
  expectProblem(stale.error, 412, "a reschedule with a stale ETag");

  // The doctor writes a note on the patient's record and reads it back.
  const patientId = moved.data.patientId;
  const note = await doctor.POST("/api/v1/clinics/{clinicId}/patients/{patientId}/notes", {
    params: { path: { clinicId, patientId } },
    body: { kind: "progress", body: "Seen for a routine check; no concerns." },
  });
  check(note.data, `writing a note failed: ${note.error?.title}`);
  const notes = await doctor.GET("/api/v1/clinics/{clinicId}/patients/{patientId}/notes", { params: { path: { clinicId, patientId } } });
  check(notes.data?.items.some((n) => n.id === note.data.id), "the note is not in the patient's notes");
  const forbidden = await patient.GET("/api/v1/clinics/{clinicId}/patients/{patientId}/notes", { params: { path: { clinicId, patientId } } });
  check(forbidden.error && (forbidden.error.status === 403 || forbidden.error.status === 404), "a patient read the clinic's notes");

  // The patient sees the appointment in their own list, cancels it, and sees who opened their record.
  const mine = await patient.GET("/api/v1/me/appointments", { params: { query: { limit: 20 } } });
  check(mine.data?.items.some((a) => a.id === appointmentId), "the appointment is not in the patient's list");
  const cancelled = await patient.POST("/api/v1/me/appointments/{id}/cancel", {
    params: { path: { id: appointmentId } },
    body: { reason: "Feeling better, thank you." },
  });
  check(cancelled.data?.status === "cancelled", `cancel failed: ${cancelled.error?.title}`);
  const log = await patient.GET("/api/v1/me/access-log");
  check(log.data && log.data.length > 0, "the access log is empty after staff read the record");

  console.log(`newcomer scenario passed: booked, read, rescheduled and cancelled ${appointmentId}; ${log.data.length} access-log entries`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
