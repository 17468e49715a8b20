using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Hangfire;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>The clinic and the requests that make the API and the worker create each of their series.</summary>
public static class MonitoringScenario
{
    public sealed record Clinic(Guid Id, Guid PractitionerId, Guid TypeId, Guid WithEmail, Guid WithPhoneOnly, Guid WithNeither, TestAccount Receptionist);

    /// <summary>
    /// A clinic in New York with one practitioner working 08:00-18:00 every day, three patients (one reachable by e-mail,
    /// one by text message only, one not at all), a receptionist, an appointment whose time passed unattended and a patient
    /// checked in now.
    /// </summary>
    public static async Task<Clinic> CreateClinicAsync(ApiFactory setup)
    {
        var clinic = await setup.CreateClinicAsync("Monitoring");
        var ids = await setup.WithDbAsync(async db =>
        {
            var location = new Location { ClinicId = clinic.Id, Name = "Main" };
            var practitioner = new Practitioner
            {
                ClinicId = clinic.Id,
                DisplayName = "Dr Metric",
                LicenceNumber = "NY-9464",
                Specialties = ["general"],
                LocationIds = [location.Id],
            };
            var type = new AppointmentType { ClinicId = clinic.Id, Name = "Consultation", Mode = VisitModes.InPerson, DurationMinutes = 30, BufferMinutes = 10 };
            db.Locations.Add(location);
            db.Practitioners.Add(practitioner);
            db.AppointmentTypes.Add(type);
            db.WorkingHours.AddRange(Enum.GetValues<DayOfWeek>().Select(day => new WorkingHours
            {
                ClinicId = clinic.Id,
                PractitionerId = practitioner.Id,
                LocationId = location.Id,
                Day = day,
                Starts = new TimeOnly(8, 0),
                Ends = new TimeOnly(18, 0),
            }));
            var patients = new[] { ("Email", "e.patient@example.com", (string?)null), ("Phone", null, "+12125550164"), ("Neither", null, null) }
                .Select(p =>
                {
                    var patient = new Patient
                    {
                        ClinicId = clinic.Id,
                        GivenName = p.Item1,
                        FamilyName = "Monitored",
                        Sex = "unknown",
                        DateOfBirth = new DateOnly(1980, 1, 1),
                        Email = p.Item2,
                        Phone = p.Item3,
                    };
                    patient.RefreshSearchName();
                    return patient;
                }).ToArray();
            db.Patients.AddRange(patients);
            var now = DateTimeOffset.UtcNow;
            // Booked three hours ago and never attended: the no-show sweep marks it.
            db.Appointments.Add(Appointment.Book(clinic.Id, practitioner.Id, patients[2].Id, type, location.Id, now.AddHours(-3), null, now.AddDays(-1)));
            // Arrived for a visit in an hour: an active appointment.
            var arrived = Appointment.Book(clinic.Id, practitioner.Id, patients[2].Id, type, location.Id, now.AddHours(1), null, now.AddDays(-1));
            Assert.True(arrived.TryMoveTo(AppointmentStatus.CheckedIn, now));
            db.Appointments.Add(arrived);
            await db.SaveChangesAsync();
            return (practitioner.Id, type.Id, patients.Select(p => p.Id).ToArray());
        });
        var receptionist = await setup.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id);
        return new Clinic(clinic.Id, ids.Item1, ids.Item2, ids.Item3[0], ids.Item3[1], ids.Item3[2], receptionist);
    }

    /// <summary>Requests to the API process, then the worker's no-show sweep and audit-chain verification run at once.</summary>
    public static async Task DriveAsync(ApiFactory setup, HostProcess api, Clinic clinic)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var refused = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = clinic.Receptionist.Email, password = "not-the-password-1234" });
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        // Guessing at one address from one place is throttled after a few tries: 429 answers.
        var guessed = $"guessed.{Guid.NewGuid():N}@monitoring.test";
        var throttled = false;
        for (var i = 0; i < LoginThrottle.PairThreshold + 3 && !throttled; i++)
        {
            var guess = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = guessed, password = $"guess-number-{i}-abcdef" });
            throttled = guess.StatusCode == HttpStatusCode.TooManyRequests;
        }

        Assert.True(throttled, "sign-in was never throttled");
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = clinic.Receptionist.Email, password = clinic.Receptionist.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Reads of the session cache: a miss, then hits.
        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync("/api/v1/me")).EnsureSuccessStatusCode();
        }

        var appointments = $"/api/v1/clinics/{clinic.Id}/appointments";
        foreach (var (patient, hour) in new[] { (clinic.WithEmail, 9), (clinic.WithPhoneOnly, 10), (clinic.WithNeither, 11) })
        {
            var booked = await http.PostAsJsonAsync(appointments, new { patientId = patient, practitionerId = clinic.PractitionerId, appointmentTypeId = clinic.TypeId, startsAt = InTwoDays(hour) });
            Assert.True(booked.StatusCode == HttpStatusCode.Created, await booked.Content.ReadAsStringAsync());
            if (patient == clinic.WithNeither)
            {
                var id = (await booked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
                var cancelled = await http.PostAsJsonAsync($"{appointments}/{id}/cancel", new { reason = "Patient called to cancel" });
                Assert.True(cancelled.IsSuccessStatusCode, await cancelled.Content.ReadAsStringAsync());
            }
        }

        // The worker registered its recurring jobs at start; run two of them now instead of at their time. Hangfire loads
        // the job's class to enqueue it, so the worker's assembly is made loadable here.
        AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
            new AssemblyName(args.Name).Name == "Healthcare.Worker" ? Assembly.LoadFrom(RepositoryPaths.WorkerDll) : null;
        var recurring = new RecurringJobManager(setup.Services.GetRequiredService<JobStorage>());
        recurring.Trigger("no-shows");
        recurring.Trigger("audit-verification");
    }

    private static DateTimeOffset InTwoDays(int hour)
    {
        var newYork = DateTimeZoneProviders.Tzdb["America/New_York"];
        var today = SystemClock.Instance.GetCurrentInstant().InZone(newYork).Date;
        return newYork.AtStrictly(today.PlusDays(2) + new LocalTime(hour, 0)).ToDateTimeOffset();
    }
}

/// <summary>Prometheus text exposition read into metric names, labels and label values, as Prometheus stores them after a scrape.</summary>
public static class Exposition
{
    public static Dictionary<string, Dictionary<string, HashSet<string>>> Parse(string text)
    {
        var metrics = new Dictionary<string, Dictionary<string, HashSet<string>>>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            var labels = metrics.TryGetValue(line[..nameEnd], out var known) ? known : metrics[line[..nameEnd]] = [];
            var i = nameEnd;
            if (line[i] != '{')
            {
                continue;
            }

            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                var value = new System.Text.StringBuilder();
                for (i = eq + 2; line[i] != '"'; i++)
                {
                    value.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
                }

                // The target's own job and instance labels win; the exposed ones are kept with an "exported_" prefix.
                var stored = label is "job" or "instance" ? "exported_" + label : label;
                (labels.TryGetValue(stored, out var values) ? values : labels[stored] = []).Add(value.ToString());
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }
        }

        return metrics;
    }
}
