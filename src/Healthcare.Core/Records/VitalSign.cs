using System.Globalization;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>
/// One measurement of one kind (blood pressure keeps its diastolic value in <see cref="SecondaryValue"/>), in
/// the kind's fixed UCUM unit. The plausible range of each kind is checked by the API and by the database.
/// </summary>
public sealed class VitalSign : IPatientRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public Guid? EncounterId { get; init; }

    public required string Kind { get; init; }

    /// <summary>The measured value; the systolic pressure for blood pressure.</summary>
    public decimal Value { get; init; }

    /// <summary>The diastolic pressure for blood pressure; otherwise none.</summary>
    public decimal? SecondaryValue { get; init; }

    public required string Unit { get; init; }

    public DateTimeOffset MeasuredAt { get; init; }

    public Guid RecordedByUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A kind of vital sign, its unit and the range of values that a real measurement can have.</summary>
public sealed record VitalKind(string Name, string Unit, decimal Min, decimal Max);

public static class VitalKinds
{
    public static readonly VitalKind BloodPressure = new("blood_pressure", "mm[Hg]", 40, 300);
    public static readonly VitalKind HeartRate = new("heart_rate", "/min", 20, 300);
    public static readonly VitalKind Temperature = new("temperature", "Cel", 25, 45);
    public static readonly VitalKind OxygenSaturation = new("spo2", "%", 50, 100);
    public static readonly VitalKind Weight = new("weight", "kg", 0.2m, 650);
    public static readonly VitalKind Height = new("height", "cm", 20, 280);

    /// <summary>The diastolic range of a blood pressure (always below the systolic).</summary>
    public static readonly (decimal Min, decimal Max) Diastolic = (20, 200);

    public static readonly IReadOnlyList<VitalKind> All = [BloodPressure, HeartRate, Temperature, OxygenSaturation, Weight, Height];

    public static VitalKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>The database's version of the same rules: each kind's unit and range.</summary>
    internal static string CheckSql() => string.Join(" OR ", All.Select(k =>
    {
        var secondary = k == BloodPressure
            ? $"secondary_value BETWEEN {Sql(Diastolic.Min)} AND {Sql(Diastolic.Max)} AND secondary_value < value"
            : "secondary_value IS NULL";
        return $"(kind = '{k.Name}' AND unit = '{k.Unit}' AND value BETWEEN {Sql(k.Min)} AND {Sql(k.Max)} AND {secondary})";
    }));

    private static string Sql(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}

internal sealed class VitalSignConfiguration : IEntityTypeConfiguration<VitalSign>
{
    public void Configure(EntityTypeBuilder<VitalSign> builder)
    {
        builder.Property(v => v.Kind).HasMaxLength(16);
        builder.Property(v => v.Unit).HasMaxLength(16);
        builder.Property(v => v.Value).HasPrecision(6, 2);
        builder.Property(v => v.SecondaryValue).HasPrecision(6, 2);
        builder.HasOne<Clinic>().WithMany().HasForeignKey(v => v.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(v => v.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Encounter>().WithMany().HasForeignKey(v => v.EncounterId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(v => v.RecordedByUserId).OnDelete(DeleteBehavior.Restrict);
        // Newest first per patient (lists), and the latest of each kind (summary).
        builder.HasIndex(v => new { v.PatientId, v.MeasuredAt, v.Id }).IsDescending(false, true, true);
        builder.HasIndex(v => new { v.PatientId, v.Kind, v.MeasuredAt }).IsDescending(false, false, true);
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(v => new { v.ClinicId, v.Id });
        builder.HasIndex(v => v.EncounterId);
        builder.HasIndex(v => v.RecordedByUserId);
        builder.ToTable(t => t.HasCheckConstraint("ck_vital_signs_kind_unit_range", VitalKinds.CheckSql()));
    }
}
