using Healthcare.Core.Practitioners;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>A recurring booking: every N weeks for K occurrences. Each occurrence is its own appointment.</summary>
public sealed class AppointmentSeries
{
    public const int MaxOccurrences = 52;

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public Guid PractitionerId { get; init; }

    public Guid AppointmentTypeId { get; init; }

    public int IntervalWeeks { get; init; }

    public int Occurrences { get; init; }

    public DateTimeOffset FirstStartsAt { get; init; }

    public Guid? CreatedByUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class AppointmentSeriesConfiguration : IEntityTypeConfiguration<AppointmentSeries>
{
    public void Configure(EntityTypeBuilder<AppointmentSeries> builder)
    {
        builder.ToTable("appointment_series", t =>
        {
            t.HasCheckConstraint("ck_appointment_series_interval", "interval_weeks BETWEEN 1 AND 12");
            t.HasCheckConstraint("ck_appointment_series_occurrences", $"occurrences BETWEEN 2 AND {AppointmentSeries.MaxOccurrences}");
        });
        builder.HasOne<Patients.Patient>().WithMany().HasForeignKey(s => s.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(s => s.PractitionerId).OnDelete(DeleteBehavior.Restrict);
    }
}
