using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Encounter = Healthcare.Core.Records.Encounter;
using Medication = Healthcare.Core.Records.Medication;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// The clinical record over FHIR (Encounter, vital-sign Observations, AllergyIntolerance, Condition,
/// MedicationStatement, DocumentReference): valid resources, the records permission of the native API, the patient
/// compartment with what the native API shows a patient, and SMART scopes per resource type.
/// </summary>
public sealed class FhirClinicalTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly DateTimeOffset Visit = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AClinicianReadsAndSearchesEveryClinicalResourceAsValidFhirAndEachPatientTouchedIsAudited()
    {
        var (clinic, doctor, record) = await RecordAsync();
        var client = await api.ClientForAsync(doctor);
        var patient = $"Patient/{record.PatientId}";

        var encounter = Assert.IsType<Hl7.Fhir.Model.Encounter>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Encounter/{record.EncounterId}")));
        Assert.Equal(Hl7.Fhir.Model.Encounter.EncounterStatus.Finished, encounter.Status);
        Assert.Equal(patient, encounter.Subject?.Reference);
        FhirValidation.AssertValid(encounter);

        var vitals = await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&category=vital-signs");
        Assert.Equal(6, vitals.Entry.Count);
        foreach (var observation in vitals.Entry.Select(e => Assert.IsType<Observation>(e.Resource)))
        {
            Assert.Equal("vital-signs", observation.Category.Single().Coding.Single().Code);
            Assert.Equal($"Encounter/{record.EncounterId}", observation.Encounter?.Reference);
            FhirValidation.AssertValid(observation, VitalSignObservations.VitalSignsProfile);
            FhirValidation.AssertValid(observation, VitalSignObservations.Codes.Single(c => c.Loinc == observation.Code.Coding[0].Code).Profile);
        }

        var bp = Assert.IsType<Observation>(Assert.Single(
            (await SearchAsync(client, $"/fhir/r4/Observation?patient={record.PatientId}&code=http://loinc.org|85354-9")).Entry).Resource);
        Assert.Equal([120m, (decimal?)80m], bp.Component.Select(c => Assert.IsType<Quantity>(c.Value).Value));
        Assert.All(bp.Component, c => Assert.Equal("mm[Hg]", Assert.IsType<Quantity>(c.Value).Code));
        var read = Assert.IsType<Observation>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Observation/{bp.Id}")));
        Assert.Equal(bp.Id, read.Id);
        FhirValidation.AssertValid(read, "http://hl7.org/fhir/StructureDefinition/bp");
        var heartRate = Assert.IsType<Observation>(Assert.Single((await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&code=8867-4,9279-1")).Entry).Resource);
        var rate = Assert.IsType<Quantity>(heartRate.Value);
        Assert.Equal((72m, "/min", "http://unitsofmeasure.org"), (rate.Value, rate.Code, rate.System));
        // The profile checks bite: a heart rate is no blood pressure.
        Assert.NotEmpty(FhirValidation.Errors(heartRate, "http://hl7.org/fhir/StructureDefinition/bp"));
        Assert.Empty((await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&category=laboratory")).Entry);
        Assert.Empty((await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&code=http://snomed.info/sct|8867-4")).Entry);
        Assert.Equal(6, (await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&date=2026-03-01")).Entry.Count);
        Assert.Empty((await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&date=lt2026-03-01")).Entry);
        var paged = await SearchAsync(client, $"/fhir/r4/Observation?patient={patient}&_count=4");
        Assert.Equal(4, paged.Entry.Count);
        var next = paged.Link.Single(l => l.Relation == "next").Url!;
        Assert.Equal(2, (await SearchAsync(client, next[next.IndexOf("/fhir/r4/", StringComparison.Ordinal)..])).Entry.Count);

        var allergies = await SearchAsync(client, $"/fhir/r4/AllergyIntolerance?patient={patient}");
        Assert.Equal(2, allergies.Entry.Count);
        var active = Assert.IsType<AllergyIntolerance>(Assert.Single(
            (await SearchAsync(client, $"/fhir/r4/AllergyIntolerance?patient={patient}&clinical-status=active")).Entry).Resource);
        Assert.Equal("Penicillin", active.Code?.Text);
        Assert.Equal(AllergyIntolerance.AllergyIntoleranceCriticality.High, active.Criticality);
        Assert.IsType<AllergyIntolerance>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/AllergyIntolerance/{active.Id}")));

        var conditions = await SearchAsync(client, $"/fhir/r4/Condition?patient={patient}&category=problem-list-item");
        Assert.Equal(3, conditions.Entry.Count);
        var diabetes = Assert.IsType<Condition>(Assert.Single(
            (await SearchAsync(client, $"/fhir/r4/Condition?patient={patient}&clinical-status=active")).Entry).Resource);
        Assert.Equal(("http://hl7.org/fhir/sid/icd-10-cm", "E11.9"), (diabetes.Code!.Coding.Single().System, diabetes.Code.Coding.Single().Code));
        Assert.Equal("problem-list-item", diabetes.Category.Single().Coding.Single().Code);
        Assert.Single((await SearchAsync(client, $"/fhir/r4/Condition?patient={patient}&clinical-status=resolved")).Entry);
        Assert.Empty((await SearchAsync(client, $"/fhir/r4/Condition?patient={patient}&category=encounter-diagnosis")).Entry);
        Assert.IsType<Condition>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Condition/{diabetes.Id}")));

        var medications = await SearchAsync(client, $"/fhir/r4/MedicationStatement?patient={patient}");
        Assert.Equal(3, medications.Entry.Count);
        var stopped = Assert.IsType<MedicationStatement>(Assert.Single(
            (await SearchAsync(client, $"/fhir/r4/MedicationStatement?patient={patient}&status=stopped")).Entry).Resource);
        Assert.Equal("Amoxicillin", Assert.IsType<CodeableConcept>(stopped.Medication).Text);
        Assert.IsType<MedicationStatement>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/MedicationStatement/{stopped.Id}")));

        var notes = await SearchAsync(client, $"/fhir/r4/DocumentReference?patient={patient}");
        Assert.Equal(3, notes.Entry.Count);
        var released = Assert.IsType<DocumentReference>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/DocumentReference/{record.ReleasedNoteId}")));
        Assert.Equal(["Released note body", "Amendment body"], released.Content.Select(c => Encoding.UTF8.GetString(c.Attachment.Data!)));
        Assert.All(released.Content, c => Assert.Equal("text/plain", c.Attachment.ContentType));
        Assert.Equal(CompositionStatus.Final, released.DocStatus);

        var encounters = await SearchAsync(client, $"/fhir/r4/Encounter?patient={patient}&status=finished&date=ge2026-03-01");
        Assert.Equal([record.EncounterId.ToString()], encounters.Entry.Select(e => e.Resource?.Id));
        Assert.Empty((await SearchAsync(client, $"/fhir/r4/Encounter?patient={patient}&status=in-progress")).Entry);

        foreach (var invalid in new[] { "/fhir/r4/Observation?date=yesterday", "/fhir/r4/Condition?patient=Group/1", "/fhir/r4/Encounter?subject=x" })
        {
            var refused = await client.GetAsync(invalid);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            FhirValidation.AssertValid(Assert.IsType<OperationOutcome>(FhirValidation.Parse(await refused.Content.ReadAsStringAsync())));
        }

        foreach (var resource in new Resource[] { vitals, paged, allergies, conditions, medications, notes, encounters })
        {
            FhirValidation.AssertValid(resource);
        }

        var audited = await api.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.PatientId == record.PatientId && e.UserId == doctor.Id && e.ClinicId == clinic).Select(e => e.ResourceType).ToListAsync());
        foreach (var type in new[] { "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationStatement", "DocumentReference" })
        {
            Assert.Contains(type, audited);
            Assert.Contains($"Fhir{type}", audited);
        }
    }

    [Fact]
    public async Task AnotherClinicFindsNothingAndThePatientSeesTheirOwnRecordsAsTheNativeApiShowsThem()
    {
        var (_, _, record) = await RecordAsync();
        var otherClinic = await api.CreateClinicAsync();
        var patient = $"Patient/{record.PatientId}";
        var outsiders = new[]
        {
            await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, otherClinic.Id)),
            await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, otherClinic.Id)),
        };
        foreach (var outsider in outsiders)
        {
            foreach (var path in new[]
            {
                $"/fhir/r4/Encounter/{record.EncounterId}", $"/fhir/r4/Observation/{record.VitalIds[0]}",
                $"/fhir/r4/DocumentReference/{record.ReleasedNoteId}", $"/fhir/r4/Observation/not-an-id",
            })
            {
                await AssertNotFoundAsync(await outsider.GetAsync(path));
            }

            foreach (var type in new[] { "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationStatement", "DocumentReference" })
            {
                Assert.Empty((await SearchAsync(outsider, $"/fhir/r4/{type}?patient={patient}")).Entry);
            }
        }

        var account = await api.CreateUserAsync(ClinicRoles.Patient, record.ClinicId);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == record.PatientId).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, account.Id)));
        var owner = await api.ClientForAsync(account);

        var notes = await SearchAsync(owner, "/fhir/r4/DocumentReference");
        Assert.Equal([record.ReleasedNoteId.ToString()], notes.Entry.Select(e => e.Resource?.Id));
        Assert.IsType<DocumentReference>(await FhirValidation.ResourceAsync(await owner.GetAsync($"/fhir/r4/DocumentReference/{record.ReleasedNoteId}")));
        await AssertNotFoundAsync(await owner.GetAsync($"/fhir/r4/DocumentReference/{record.UnreleasedNoteId}"));
        Assert.Equal(6, (await SearchAsync(owner, $"/fhir/r4/Observation?patient={patient}")).Entry.Count);
        Assert.Single((await SearchAsync(owner, "/fhir/r4/Encounter")).Entry);
        // Entries in error are not shown to the patient.
        Assert.Single((await SearchAsync(owner, "/fhir/r4/AllergyIntolerance")).Entry);
        Assert.Equal(2, (await SearchAsync(owner, "/fhir/r4/Condition")).Entry.Count);
        Assert.Equal(2, (await SearchAsync(owner, "/fhir/r4/MedicationStatement")).Entry.Count);
        await AssertNotFoundAsync(await owner.GetAsync($"/fhir/r4/AllergyIntolerance/{record.AllergyInErrorId}"));
        FhirValidation.AssertValid(notes);
    }

    [Fact]
    public async Task ATokenScopedToObservationsReadsVitalSignsAndNothingElse()
    {
        var (_, doctor, record) = await RecordAsync();
        var observations = await FhirTokens.ScopedClientAsync(api, doctor, "user/Observation.rs");

        Assert.IsType<Observation>(await FhirValidation.ResourceAsync(await observations.GetAsync($"/fhir/r4/Observation/{record.VitalIds[0]}")));
        Assert.Equal(6, (await SearchAsync(observations, $"/fhir/r4/Observation?patient={record.PatientId}")).Entry.Count);
        foreach (var path in new[] { $"/fhir/r4/AllergyIntolerance?patient={record.PatientId}", $"/fhir/r4/Encounter/{record.EncounterId}" })
        {
            var response = await observations.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var outcome = Assert.IsType<OperationOutcome>(FhirValidation.Parse(await response.Content.ReadAsStringAsync()));
            Assert.Equal(OperationOutcome.IssueType.Forbidden, outcome.Issue.Single().Code);
        }
    }

    private sealed record Recorded(
        Guid ClinicId, Guid PatientId, Guid EncounterId, List<Guid> VitalIds, Guid AllergyInErrorId, Guid ReleasedNoteId, Guid UnreleasedNoteId);

    /// <summary>A patient of a new clinic with one of every kind of record, written by a doctor of the clinic.</summary>
    private async Task<(Guid Clinic, TestAccount Doctor, Recorded Record)> RecordAsync()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var encryption = api.Services.GetRequiredService<FieldEncryption>();
        var record = await api.WithDbAsync(async db =>
        {
            var patientId = await MatrixResources.PatientAsync(db, clinic.Id);
            var encounter = new Encounter
            {
                ClinicId = clinic.Id,
                PatientId = patientId,
                ClinicianUserId = doctor.Id,
                Status = EncounterStatus.Finished,
                Reason = "Follow-up",
                StartedAt = Visit,
                EndedAt = Visit.AddMinutes(30),
                CreatedAt = Visit,
                UpdatedAt = Visit.AddMinutes(30),
            };
            db.Encounters.Add(encounter);
            var vitals = new (VitalKind Kind, decimal Value, decimal? Diastolic)[]
            {
                (VitalKinds.BloodPressure, 120, 80), (VitalKinds.HeartRate, 72, null), (VitalKinds.Temperature, 36.8m, null),
                (VitalKinds.OxygenSaturation, 98, null), (VitalKinds.Weight, 70.5m, null), (VitalKinds.Height, 175, null),
            }.Select(m => new VitalSign
            {
                ClinicId = clinic.Id,
                PatientId = patientId,
                EncounterId = encounter.Id,
                Kind = m.Kind.Name,
                Value = m.Value,
                SecondaryValue = m.Diastolic,
                Unit = m.Kind.Unit,
                MeasuredAt = Visit.AddMinutes(10),
                RecordedByUserId = doctor.Id,
                CreatedAt = Visit.AddMinutes(10),
            }).ToList();
            db.VitalSigns.AddRange(vitals);
            var inError = Allergy(clinic.Id, patientId, doctor.Id, "Latex", AllergyStatus.EnteredInError);
            db.Allergies.AddRange(Allergy(clinic.Id, patientId, doctor.Id, "Penicillin", AllergyStatus.Active), inError);
            db.ProblemListItems.AddRange(
                Problem(clinic.Id, patientId, doctor.Id, "Type 2 diabetes mellitus", "E11.9", ProblemStatus.Active),
                Problem(clinic.Id, patientId, doctor.Id, "Ankle sprain", null, ProblemStatus.Resolved),
                Problem(clinic.Id, patientId, doctor.Id, "Asthma", "J45.909", ProblemStatus.EnteredInError));
            db.Medications.AddRange(
                Prescription(clinic.Id, patientId, doctor.Id, encounter.Id, "Metformin", MedicationStatus.Active),
                Prescription(clinic.Id, patientId, doctor.Id, null, "Amoxicillin", MedicationStatus.Stopped),
                Prescription(clinic.Id, patientId, doctor.Id, null, "Aspirin", MedicationStatus.EnteredInError));
            var released = Note(clinic.Id, patientId, doctor.Id, encounter.Id, encryption, "Released note body", sign: true);
            released.Release(doctor.Id, Visit.AddHours(2));
            var unreleased = Note(clinic.Id, patientId, doctor.Id, null, encryption, "Signed, not released", sign: true);
            db.ClinicalNotes.AddRange(released, unreleased, Note(clinic.Id, patientId, doctor.Id, null, encryption, "Draft", sign: false));
            await db.SaveChangesAsync();
            db.NoteAmendments.Add(new NoteAmendment
            {
                NoteId = released.Id,
                AuthorUserId = doctor.Id,
                BodyEncrypted = encryption.Encrypt("Amendment body")!,
                CreatedAt = Visit.AddHours(3),
            });
            await db.SaveChangesAsync();
            return new Recorded(clinic.Id, patientId, encounter.Id, vitals.Select(v => v.Id).ToList(), inError.Id, released.Id, unreleased.Id);
        });
        return (clinic.Id, doctor, record);
    }

    private static Allergy Allergy(Guid clinicId, Guid patientId, Guid author, string substance, string status) => new()
    {
        ClinicId = clinicId,
        PatientId = patientId,
        Substance = substance,
        Reaction = "Hives",
        Severity = "severe",
        Status = status,
        OnsetDate = new DateOnly(2020, 5, 1),
        RecordedByUserId = author,
        CreatedAt = Visit,
        UpdatedAt = Visit,
    };

    private static ProblemListItem Problem(Guid clinicId, Guid patientId, Guid author, string condition, string? icd10, string status) => new()
    {
        ClinicId = clinicId,
        PatientId = patientId,
        Condition = condition,
        Icd10Code = icd10,
        Status = status,
        OnsetDate = new DateOnly(2024, 1, 10),
        ResolvedDate = status == ProblemStatus.Resolved ? new DateOnly(2024, 2, 1) : null,
        RecordedByUserId = author,
        CreatedAt = Visit,
        UpdatedAt = Visit,
    };

    private static Medication Prescription(Guid clinicId, Guid patientId, Guid author, Guid? encounterId, string drug, string status) => new()
    {
        ClinicId = clinicId,
        PatientId = patientId,
        EncounterId = encounterId,
        Drug = drug,
        Dose = "500 mg",
        Route = "oral",
        Frequency = "twice daily",
        Instructions = "With food",
        StartDate = new DateOnly(2026, 3, 1),
        EndDate = status == MedicationStatus.Stopped ? new DateOnly(2026, 3, 8) : null,
        Status = status,
        PrescriberUserId = author,
        CreatedAt = Visit,
        UpdatedAt = Visit,
    };

    private static ClinicalNote Note(Guid clinicId, Guid patientId, Guid author, Guid? encounterId, FieldEncryption encryption, string body, bool sign)
    {
        var note = ClinicalNote.Draft(clinicId, patientId, author, encounterId, NoteKinds.Progress, encryption.Encrypt(body)!, Visit.AddHours(1));
        if (sign)
        {
            note.TrySign(Visit.AddHours(1));
        }

        return note;
    }

    private static async Task<Bundle> SearchAsync(HttpClient client, string path) => Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await client.GetAsync(path)));

    private static Task<OperationOutcome> AssertNotFoundAsync(HttpResponseMessage response) =>
        FhirValidation.AssertOutcomeAsync(response, HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
}
