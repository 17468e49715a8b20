using Healthcare.Core.Clinics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Identity;

/// <summary>A user's role in one clinic. A user has at most one role per clinic.</summary>
public sealed class ClinicMembership
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Clinic? Clinic { get; init; }

    public Guid UserId { get; init; }

    public User? User { get; init; }

    public required string Role { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The roles a clinic membership can carry; super_admin is a platform flag on the user.</summary>
public static class ClinicRoles
{
    public const string ClinicAdmin = "clinic_admin";
    public const string Doctor = "doctor";
    public const string Nurse = "nurse";
    public const string Receptionist = "receptionist";
    public const string Patient = "patient";
    public const string SuperAdmin = "super_admin";

    public static readonly IReadOnlyList<string> All = [ClinicAdmin, Doctor, Nurse, Receptionist, Patient];

    /// <summary>Roles given by invitation; patients register themselves.</summary>
    public static readonly IReadOnlyList<string> Staff = [ClinicAdmin, Doctor, Nurse, Receptionist];

    /// <summary>
    /// Where a role stands: nobody gives a role that stands above their own (a platform administrator stands above
    /// every clinic role).
    /// </summary>
    public static int Rank(string role) => role switch
    {
        SuperAdmin => 5,
        ClinicAdmin => 4,
        Doctor => 3,
        Nurse => 2,
        Receptionist => 1,
        _ => 0,
    };
}

internal sealed class ClinicMembershipConfiguration : IEntityTypeConfiguration<ClinicMembership>
{
    public void Configure(EntityTypeBuilder<ClinicMembership> builder)
    {
        builder.Property(m => m.Role).HasMaxLength(32);
        builder.HasIndex(m => new { m.ClinicId, m.UserId }).IsUnique();
        builder.HasIndex(m => m.UserId);
        builder.HasOne(m => m.Clinic).WithMany().HasForeignKey(m => m.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(m => m.User).WithMany(u => u.Memberships).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        var roles = string.Join(", ", ClinicRoles.All.Select(r => $"'{r}'"));
        builder.ToTable(t => t.HasCheckConstraint("ck_clinic_memberships_role", $"role IN ({roles})"));
    }
}
