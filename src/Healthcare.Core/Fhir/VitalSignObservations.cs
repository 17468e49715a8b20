using Healthcare.Core.Records;
using Hl7.Fhir.Model;

namespace Healthcare.Core.Fhir;

/// <summary>
/// Vital signs as Observations of the FHIR core vital-signs profiles. A native measurement holds one kind, so it
/// is one Observation with the measurement's id; a blood pressure is the <c>bp</c> panel with its systolic and
/// diastolic components. Codes are LOINC, units UCUM (the native units already are).
/// </summary>
public static class VitalSignObservations
{
    public const string Ucum = "http://unitsofmeasure.org";
    public const string Category = "vital-signs";
    public const string CategorySystem = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string VitalSignsProfile = "http://hl7.org/fhir/StructureDefinition/vitalsigns";

    /// <summary>A native kind's FHIR code, its core profile and its unit's display.</summary>
    public sealed record VitalCode(string Kind, string Loinc, string Display, string Profile, string UnitDisplay);

    public static readonly IReadOnlyList<VitalCode> Codes =
    [
        new(VitalKinds.BloodPressure.Name, "85354-9", "Blood pressure panel with all children optional", Profile("bp"), "mmHg"),
        new(VitalKinds.HeartRate.Name, "8867-4", "Heart rate", Profile("heartrate"), "beats/minute"),
        new(VitalKinds.Temperature.Name, "8310-5", "Body temperature", Profile("bodytemp"), "C"),
        new(VitalKinds.OxygenSaturation.Name, "2708-6", "Oxygen saturation in Arterial blood", Profile("oxygensat"), "%"),
        new(VitalKinds.Weight.Name, "29463-7", "Body weight", Profile("bodyweight"), "kg"),
        new(VitalKinds.Height.Name, "8302-2", "Body height", Profile("bodyheight"), "cm"),
    ];

    private static readonly (string Code, string Display) Systolic = ("8480-6", "Systolic blood pressure");
    private static readonly (string Code, string Display) Diastolic = ("8462-4", "Diastolic blood pressure");

    public static VitalCode CodeOf(string kind) => Codes.Single(c => c.Kind == kind);

    /// <summary>The native kinds a LOINC code stands for (none when this server records no such vital sign).</summary>
    public static IEnumerable<string> KindsOf(string loinc) => Codes.Where(c => c.Loinc == loinc).Select(c => c.Kind);

    public static Observation ToFhir(this VitalSign v)
    {
        var code = CodeOf(v.Kind);
        var observation = new Observation
        {
            Id = v.Id.ToString(),
            // A measurement never changes once recorded: it has one version.
            Meta = new Meta { VersionId = "1", LastUpdated = v.CreatedAt.ToUniversalTime(), Profile = [VitalSignsProfile, code.Profile] },
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept(CategorySystem, Category, "Vital Signs")],
            Code = new CodeableConcept(ClinicalMapping.Loinc, code.Loinc, code.Display) { Text = code.Display },
            Subject = FhirMapping.Reference("Patient", v.PatientId),
            Effective = new FhirDateTime(v.MeasuredAt.ToUniversalTime()),
            Issued = v.CreatedAt.ToUniversalTime(),
        };
        if (v.EncounterId is { } encounter)
        {
            observation.Encounter = FhirMapping.Reference("Encounter", encounter);
        }

        if (v.Kind == VitalKinds.BloodPressure.Name)
        {
            observation.Component =
            [
                Component(Systolic, Quantity(v.Value, v.Unit, code.UnitDisplay)),
                Component(Diastolic, Quantity(v.SecondaryValue ?? 0, v.Unit, code.UnitDisplay)),
            ];
        }
        else
        {
            observation.Value = Quantity(v.Value, v.Unit, code.UnitDisplay);
        }

        return observation;
    }

    private static string Profile(string name) => $"http://hl7.org/fhir/StructureDefinition/{name}";

    private static Observation.ComponentComponent Component((string Code, string Display) code, Quantity value) => new()
    {
        Code = new CodeableConcept(ClinicalMapping.Loinc, code.Code, code.Display) { Text = code.Display },
        Value = value,
    };

    // Stored with two decimals; written without the trailing zeros (72, not 72.00).
    private static Quantity Quantity(decimal value, string unit, string display) =>
        new() { Value = value / 1.0000000000000000000000000000m, Unit = display, System = Ucum, Code = unit };
}
