using System.Globalization;
using System.Text;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Hl7.Fhir.Model;
using Encounter = Hl7.Fhir.Model.Encounter;
using EncounterEntity = Healthcare.Core.Records.Encounter;
using EncounterStatus = Healthcare.Core.Records.EncounterStatus;
using Medication = Healthcare.Core.Records.Medication;
using MedicationStatus = Healthcare.Core.Records.MedicationStatus;

namespace Healthcare.Core.Fhir;

/// <summary>
/// The clinical record as FHIR R4 resources: Encounter, AllergyIntolerance, Condition (problem list),
/// MedicationStatement and DocumentReference (clinical notes). Vital signs are in <see cref="VitalSignObservations"/>.
/// A record entered in error keeps its id and says so in its status.
/// </summary>
public static class ClinicalMapping
{
    public const string AllergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    public const string AllergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
    public const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    public const string ConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    public const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
    public const string ProblemListItem = "problem-list-item";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Loinc = "http://loinc.org";

    /// <summary>The LOINC document type of each kind of note.</summary>
    private static readonly Dictionary<string, (string Code, string Display)> NoteTypes = new()
    {
        [NoteKinds.Progress] = ("11506-3", "Progress note"),
        [NoteKinds.HistoryAndPhysical] = ("34117-2", "History and physical note"),
        [NoteKinds.Consultation] = ("11488-4", "Consult note"),
        [NoteKinds.Procedure] = ("28570-0", "Procedure note"),
        [NoteKinds.Discharge] = ("18842-5", "Discharge summary"),
        [NoteKinds.Telephone] = ("34748-4", "Telephone encounter Note"),
        [NoteKinds.Other] = ("34109-9", "Note"),
    };

    public static Encounter ToFhir(this EncounterEntity e)
    {
        var encounter = new Encounter
        {
            Id = e.Id.ToString(),
            Meta = FhirMapping.Meta(e.Version, e.UpdatedAt),
            Status = EncounterStatusOf(e.Status),
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"),
            Subject = FhirMapping.Reference("Patient", e.PatientId),
            Period = new Period { StartElement = new FhirDateTime(e.StartedAt.ToUniversalTime()) },
            ServiceProvider = FhirMapping.Reference("Organization", e.ClinicId),
        };
        if (e.EndedAt is { } ended)
        {
            encounter.Period.EndElement = new FhirDateTime(ended.ToUniversalTime());
        }

        if (e.AppointmentId is { } appointment)
        {
            encounter.Appointment.Add(FhirMapping.Reference("Appointment", appointment));
        }

        if (e.Reason is { Length: > 0 } reason)
        {
            encounter.ReasonCode.Add(new CodeableConcept { Text = reason });
        }

        return encounter;
    }

    public static Encounter.EncounterStatus EncounterStatusOf(string status) => status switch
    {
        EncounterStatus.InProgress => Encounter.EncounterStatus.InProgress,
        EncounterStatus.Finished => Encounter.EncounterStatus.Finished,
        _ => Encounter.EncounterStatus.Cancelled,
    };

    public static AllergyIntolerance ToFhir(this Allergy a)
    {
        var erroneous = a.Status == AllergyStatus.EnteredInError;
        var allergy = new AllergyIntolerance
        {
            Id = a.Id.ToString(),
            Meta = FhirMapping.Meta(a.Version, a.UpdatedAt),
            // An entry in error has no clinical status (ait-2).
            ClinicalStatus = erroneous ? null : new CodeableConcept(AllergyClinical, a.Status),
            VerificationStatus = new CodeableConcept(AllergyVerification, erroneous ? "entered-in-error" : "confirmed"),
            Criticality = a.Severity is "severe" or "life_threatening"
                ? AllergyIntolerance.AllergyIntoleranceCriticality.High
                : AllergyIntolerance.AllergyIntoleranceCriticality.Low,
            Code = new CodeableConcept { Text = a.Substance },
            Patient = FhirMapping.Reference("Patient", a.PatientId),
            RecordedDate = DateTime(a.CreatedAt),
        };
        if (a.OnsetDate is { } onset)
        {
            allergy.Onset = new FhirDateTime(Date(onset));
        }

        if (a.Reaction is { Length: > 0 } reaction)
        {
            allergy.Reaction.Add(new AllergyIntolerance.ReactionComponent
            {
                Manifestation = [new CodeableConcept { Text = reaction }],
                Severity = a.Severity switch
                {
                    "mild" => AllergyIntolerance.AllergyIntoleranceSeverity.Mild,
                    "moderate" => AllergyIntolerance.AllergyIntoleranceSeverity.Moderate,
                    _ => AllergyIntolerance.AllergyIntoleranceSeverity.Severe,
                },
            });
        }

        return allergy;
    }

    public static Condition ToFhir(this ProblemListItem p)
    {
        var erroneous = p.Status == ProblemStatus.EnteredInError;
        var code = new CodeableConcept { Text = p.Condition };
        if (p.Icd10Code is { Length: > 0 } icd10)
        {
            code.Coding.Add(new Coding(Icd10Cm, icd10));
        }

        var condition = new Condition
        {
            Id = p.Id.ToString(),
            Meta = FhirMapping.Meta(p.Version, p.UpdatedAt),
            // An entry in error has no clinical status (con-5).
            ClinicalStatus = erroneous ? null : new CodeableConcept(ConditionClinical, p.Status),
            VerificationStatus = new CodeableConcept(ConditionVerification, erroneous ? "entered-in-error" : "confirmed"),
            Category = [new CodeableConcept(ConditionCategory, ProblemListItem, "Problem List Item")],
            Code = code,
            Subject = FhirMapping.Reference("Patient", p.PatientId),
            RecordedDate = DateTime(p.CreatedAt),
        };
        if (p.OnsetDate is { } onset)
        {
            condition.Onset = new FhirDateTime(Date(onset));
        }

        if (p.ResolvedDate is { } resolved)
        {
            condition.Abatement = new FhirDateTime(Date(resolved));
        }

        return condition;
    }

    public static MedicationStatement ToFhir(this Medication m)
    {
        var statement = new MedicationStatement
        {
            Id = m.Id.ToString(),
            Meta = FhirMapping.Meta(m.Version, m.UpdatedAt),
            Status = MedicationStatusOf(m.Status),
            Medication = new CodeableConcept { Text = m.Drug },
            Subject = FhirMapping.Reference("Patient", m.PatientId),
            Effective = new Period { Start = Date(m.StartDate), End = m.EndDate is { } end ? Date(end) : null },
            DateAsserted = DateTime(m.CreatedAt),
            Dosage =
            [
                new Dosage
                {
                    Text = $"{m.Dose}, {m.Route}, {m.Frequency}",
                    PatientInstruction = m.Instructions,
                    Route = new CodeableConcept { Text = m.Route },
                },
            ],
        };
        if (m.EncounterId is { } encounter)
        {
            statement.Context = FhirMapping.Reference("Encounter", encounter);
        }

        return statement;
    }

    public static MedicationStatement.MedicationStatusCodes MedicationStatusOf(string status) => status switch
    {
        MedicationStatus.Active => MedicationStatement.MedicationStatusCodes.Active,
        MedicationStatus.Completed => MedicationStatement.MedicationStatusCodes.Completed,
        MedicationStatus.Stopped => MedicationStatement.MedicationStatusCodes.Stopped,
        _ => MedicationStatement.MedicationStatusCodes.EnteredInError,
    };

    /// <summary>A note and its amendments, each a plain-text attachment of the decrypted body.</summary>
    public static DocumentReference ToFhir(this ClinicalNote n, FieldEncryption encryption)
    {
        var (code, display) = NoteTypes.GetValueOrDefault(n.Kind, NoteTypes[NoteKinds.Other]);
        var document = new DocumentReference
        {
            Id = n.Id.ToString(),
            Meta = FhirMapping.Meta(n.Version, n.UpdatedAt),
            Status = DocumentReferenceStatus.Current,
            DocStatus = n.IsSigned ? CompositionStatus.Final : CompositionStatus.Preliminary,
            Type = new CodeableConcept(Loinc, code, display),
            Subject = FhirMapping.Reference("Patient", n.PatientId),
            Date = n.CreatedAt.ToUniversalTime(),
            Custodian = FhirMapping.Reference("Organization", n.ClinicId),
            Content = [Content(encryption.Decrypt(n.BodyEncrypted)!, display, n.SignedAt ?? n.CreatedAt)],
        };
        foreach (var amendment in n.Amendments.OrderBy(a => a.Id))
        {
            document.Content.Add(Content(encryption.Decrypt(amendment.BodyEncrypted)!, "Amendment", amendment.CreatedAt));
        }

        if (n.EncounterId is { } encounter)
        {
            document.Context = new DocumentReference.ContextComponent { Encounter = [FhirMapping.Reference("Encounter", encounter)] };
        }

        return document;
    }

    private static DocumentReference.ContentComponent Content(string body, string title, DateTimeOffset created) => new()
    {
        Attachment = new Attachment
        {
            ContentType = "text/plain",
            Data = Encoding.UTF8.GetBytes(body),
            Title = title,
            Creation = DateTime(created),
        },
    };

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string DateTime(DateTimeOffset at) => new FhirDateTime(at.ToUniversalTime()).Value!;
}
