// A newcomer's first hour with the API, through the generated client only: sign in, find the clinic and its
// practitioners, availability, book, read, reschedule with If-Match, cancel, the patient's own list and access
// log, a doctor writing and reading a note, and the error answers. Compiled against a client generated from the
// running API's document, so a drift between the document and the code fails the build before anything runs.
//   HB_API_URL=http://localhost:8088 HB_CREDENTIALS_FILE=../../.data/demo-credentials.txt dotnet run --project scenario/Newcomer
using HealthcareBackend.Client;
using HealthcareBackend.Client.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

var baseAddress = new Uri(Required("HB_API_URL"));
var accounts = ReadCredentials(Required("HB_CREDENTIALS_FILE"));

// A wrong password is a typed 401 problem.
var anonymous = HealthcareClient.Create(baseAddress);
await ExpectProblemAsync(401, "sign-in with a wrong password", () =>
    anonymous.Api.V1.Auth.Login.PostAsync(new LoginRequest { Email = "nobody@demo.healthcare.test", Password = "not the password" }));

var patient = await SignInAsync("patient");
var reception = await SignInAsync("receptionist");
var doctor = await SignInAsync("doctor");

// The clinic, its practitioners and appointment types.
var me = await patient.Api.V1.Me.GetAsync() ?? throw new ScenarioFailed("GET /me answered nothing");
var clinicId = me.Memberships?.FirstOrDefault()?.ClinicId ?? throw new ScenarioFailed("the patient belongs to no clinic");
var clinic = reception.Api.V1.Clinics[clinicId];
var practitioners = await clinic.Practitioners.GetAsync(c => c.QueryParameters.Limit = 50);
Check(practitioners?.Items is { Count: > 0 }, "no practitioners");
var types = await clinic.AppointmentTypes.GetAsync();
var consultation = types?.FirstOrDefault(t => t.Mode == AppointmentTypeDto_mode.In_person)
    ?? throw new ScenarioFailed("no in-person appointment type");

// Free slots over the coming week.
var availability = await patient.Api.V1.Clinics[clinicId].Availability.GetAsync(c =>
{
    c.QueryParameters.From = new Date(DateTime.UtcNow.AddDays(2));
    c.QueryParameters.To = new Date(DateTime.UtcNow.AddDays(8));
    c.QueryParameters.AppointmentTypeId = consultation.Id;
    c.QueryParameters.Specialty = "general-practice";
});
var offer = availability?.FirstOrDefault(p => p.Slots is { Count: >= 3 }) ?? throw new ScenarioFailed("no practitioner with three free slots");
var (first, second, third) = (offer.Slots![0], offer.Slots[1], offer.Slots[2]);
MyBookingRequest Booking(DateTimeOffset? startsAt) => new()
{
    ClinicId = clinicId,
    PractitionerId = offer.PractitionerId,
    AppointmentTypeId = consultation.Id,
    StartsAt = startsAt,
};

// The patient books; a second booking of the same time is a 409 with a conflict code.
var created = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
var booked = await patient.Api.V1.Me.Appointments.PostAsync(Booking(first.StartsAt), c =>
{
    c.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
    c.Options.Add(created);
}) ?? throw new ScenarioFailed("booking answered nothing");
var appointmentId = booked.Id ?? throw new ScenarioFailed("a booking without an id");
Check(created.ResponseHeaders.ContainsKey("Location"), "a created appointment has no Location");
var conflict = await ExpectProblemAsync(409, "a second booking of the same time", () => patient.Api.V1.Me.Appointments.PostAsync(Booking(first.StartsAt)));
Check(conflict.Conflict is "slot_taken" or "patient_busy", $"unexpected conflict {conflict.Conflict}");

// Bad input is a 400 naming the field.
var invalid = await ExpectProblemAsync(400, "a booking in the past", () =>
    patient.Api.V1.Me.Appointments.PostAsync(Booking(new DateTimeOffset(2001, 1, 1, 9, 0, 0, TimeSpan.Zero))));
Check(invalid.Errors?.AdditionalData.Count > 0, "a 400 without errors");

// The desk reads it, and reschedules with If-Match; a stale version is a 412.
var readHeaders = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
var read = await clinic.Appointments[appointmentId].GetAsync(c => c.Options.Add(readHeaders));
Check(read?.Status == AppointmentDto_status.Booked, "the booking is not booked");
var etag = readHeaders.ResponseHeaders.TryGetValue("ETag", out var values) ? values.Single() : throw new ScenarioFailed("a read appointment has no ETag");
var moved = await clinic.Appointments[appointmentId].Reschedule.PostAsync(new RescheduleRequest { StartsAt = second.StartsAt }, c => c.Headers.Add("If-Match", etag));
Check(moved?.StartsAt == second.StartsAt, "the reschedule did not move the appointment");
await ExpectProblemAsync(412, "a reschedule with a stale ETag", () =>
    clinic.Appointments[appointmentId].Reschedule.PostAsync(new RescheduleRequest { StartsAt = third.StartsAt }, c => c.Headers.Add("If-Match", etag)));

// The doctor writes a note on the patient's record and reads it back; the patient cannot read the clinic's notes.
var patientId = moved!.PatientId ?? throw new ScenarioFailed("an appointment without a patient");
var notes = doctor.Api.V1.Clinics[clinicId].Patients[patientId].Notes;
var note = await notes.PostAsync(new NoteRequest { Kind = NoteRequest_kind.Progress, Body = "Seen for a routine check; no concerns." })
    ?? throw new ScenarioFailed("writing a note answered nothing");
var written = await notes.GetAsync();
Check(written?.Items?.Any(n => n.Id == note.Id) == true, "the note is not in the patient's notes");
try
{
    await patient.Api.V1.Clinics[clinicId].Patients[patientId].Notes.GetAsync();
    throw new ScenarioFailed("a patient read the clinic's notes");
}
catch (Problem refused) when (refused.ResponseStatusCode is 403 or 404)
{
}

// The patient sees the appointment in their own list, cancels it, and sees who opened their record.
var mine = await patient.Api.V1.Me.Appointments.GetAsync(c => c.QueryParameters.Limit = 20);
Check(mine?.Items?.Any(a => a.Id == appointmentId) == true, "the appointment is not in the patient's list");
var cancelled = await patient.Api.V1.Me.Appointments[appointmentId].Cancel.PostAsync(new CancelRequest { Reason = "Feeling better, thank you." });
Check(cancelled?.Status == AppointmentDto_status.Cancelled, "the appointment was not cancelled");
var log = await patient.Api.V1.Me.AccessLog.GetAsync();
Check(log is { Count: > 0 }, "the access log is empty after staff read the record");

Console.WriteLine($"newcomer scenario passed: booked, read, rescheduled and cancelled {appointmentId}; {log!.Count} access-log entries");
return 0;

async Task<HealthcareApiClient> SignInAsync(string role)
{
    var (email, password) = accounts.TryGetValue(role, out var account) ? account : throw new ScenarioFailed($"no {role} in the credentials file");
    var tokens = await anonymous.Api.V1.Auth.Login.PostAsync(new LoginRequest { Email = email, Password = password });
    var token = tokens?.AccessToken ?? throw new ScenarioFailed($"{role} could not sign in");
    return HealthcareClient.Create(baseAddress, () => token);
}

static async Task<Problem> ExpectProblemAsync<T>(int status, string what, Func<Task<T>> call)
{
    try
    {
        await call();
    }
    catch (Problem problem)
    {
        Check(problem.ResponseStatusCode == status && problem.Status == status, $"{what}: expected {status}, got {problem.ResponseStatusCode} ({problem.Title})");
        Check(!string.IsNullOrEmpty(problem.TraceId) && !string.IsNullOrEmpty(problem.RequestId), $"{what}: the problem has no traceId or requestId");
        return problem;
    }

    throw new ScenarioFailed($"{what}: expected a {status} problem, got success");
}

static void Check(bool condition, string message)
{
    if (!condition)
    {
        throw new ScenarioFailed(message);
    }
}

static string Required(string name) =>
    Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : throw new ScenarioFailed($"{name} is not set");

// The seed command's table: "  role  e-mail  password".
static Dictionary<string, (string Email, string Password)> ReadCredentials(string path)
{
    var accounts = new Dictionary<string, (string, string)>();
    foreach (var line in File.ReadLines(path))
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 3 && parts[1].Contains('@'))
        {
            accounts.TryAdd(parts[0], (parts[1], parts[2]));
        }
    }

    return accounts;
}

internal sealed class ScenarioFailed(string message) : Exception(message);
