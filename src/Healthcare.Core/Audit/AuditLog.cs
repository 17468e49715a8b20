using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Healthcare.Core.Audit;

/// <summary>What happened, to what, by whom and with which outcome; the clock and chain are filled in on write.</summary>
public sealed record AuditEntry(string Action, string ResourceType, string Outcome)
{
    public Guid? UserId { get; init; }

    public string? UserRole { get; init; }

    public Guid? ClinicId { get; init; }

    public string? ResourceId { get; init; }

    public Guid? PatientId { get; init; }

    public string? IpAddress { get; init; }

    public string? UserAgent { get; init; }

    public string? RequestId { get; init; }

    public string? Reason { get; init; }
}

public static class AuditActions
{
    public const string Read = "read";
    public const string Create = "create";
    public const string Update = "update";
    public const string Delete = "delete";
    public const string Login = "login";
    public const string FailedLogin = "failed-login";
    public const string Logout = "logout";
    public const string LogoutAll = "logout-all";
    public const string TokenReuse = "refresh-token-reuse";
    public const string PasswordChange = "password-change";
    public const string PasswordReset = "password-reset";
    public const string Disable = "disable";
    public const string MfaEnabled = "mfa-enabled";
    public const string MfaDisabled = "mfa-disabled";
    public const string Export = "export";
    public const string BreakGlass = "break-glass";
    public const string VerifyAudit = "verify-audit";
    public const string EmailVerified = "email-verified";
    public const string EmailChange = "email-change";
    public const string LinkOffer = "link-offer";
    public const string Link = "link";
    public const string Unlink = "unlink";
    public const string Enable = "enable";
    public const string AppToken = "app-token";

    /// <summary>A request refused before its endpoint ran (no permission, not a member): the operation is the resource.</summary>
    public const string Access = "access";
}

public static class AuditOutcomes
{
    public const string Success = "success";
    public const string Denied = "denied";
    public const string Failure = "failure";
}

/// <summary>First broken link of a chain, as found by the database's <c>audit_events_verify()</c>.</summary>
public sealed record AuditBreak(long EventId, Guid ChainId, string Problem);

/// <summary>Result of walking every chain.</summary>
public sealed record AuditVerification(long EventsChecked, int Chains, AuditBreak? FirstBreak)
{
    public bool Intact => FirstBreak is null;
}

/// <summary>Writes and verifies the audit trail. Writes join the caller's open transaction, if any.</summary>
public static class AuditLog
{
    /// <summary>
    /// Chains per clinic (and for platform events). A chain admits one writer at a time until it commits, so a
    /// single chain per clinic caps a clinic's audited requests at one per commit (a WAL flush); spreading events
    /// over several chains lets that many commit together. Every chain is verified the same way.
    /// </summary>
    public const int ChainsPerClinic = 16;

    /// <summary>The user agent column's length; longer values are cut.</summary>
    internal const int UserAgentLength = 256;

    /// <summary>
    /// Appends one row to one of the clinic's chains (<paramref name="chain"/>, or a random one). Inside a
    /// transaction the row commits or rolls back with the audited write; the chain's lock is then held until
    /// commit, so write it just before committing.
    /// </summary>
    public static async Task WriteAsync(this DbContext db, AuditEntry entry, DateTimeOffset now, CancellationToken cancellationToken, int? chain = null)
    {
        var chainId = ChainId(entry.ClinicId, chain ?? Random.Shared.Next(ChainsPerClinic));
        var userAgent = Truncate(entry.UserAgent, UserAgentLength);
        // Typed parameters (a null keeps its column's type), so that Npgsql prepares the statement after a few uses.
        await db.RunAsync(
            async (connection, transaction) =>
            {
                await using var command = new NpgsqlCommand(Insert, connection, transaction)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<Guid> { TypedValue = chainId },
                        new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() },
                        Uuid(entry.UserId),
                        Text(entry.UserRole),
                        Uuid(entry.ClinicId),
                        Text(entry.Action),
                        Text(entry.ResourceType),
                        Text(entry.ResourceId),
                        Uuid(entry.PatientId),
                        Text(entry.Outcome),
                        Text(entry.IpAddress),
                        Text(userAgent),
                        Text(entry.RequestId),
                        Text(entry.Reason),
                    },
                };
                return await command.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    private const string Insert = """
        INSERT INTO audit_events (chain_id, occurred_at, user_id, user_role, clinic_id, action, resource_type,
            resource_id, patient_id, outcome, ip_address, user_agent, request_id, reason)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        """;

    private static NpgsqlParameter<Guid?> Uuid(Guid? value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static NpgsqlParameter<string?> Text(string? value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Text };

    /// <summary>Walks every chain and reports the first row whose content or link does not match.</summary>
    public static async Task<AuditVerification> VerifyAsync(this DbContext db, CancellationToken cancellationToken)
    {
        var broken = await db.Database
            .SqlQuery<AuditBreakRow>($"SELECT broken_id, chain_id, problem FROM audit_events_verify()")
            .ToListAsync(cancellationToken);
        var counts = await db.Database
            .SqlQuery<AuditCountRow>($"SELECT count(*) AS events, count(DISTINCT chain_id)::int AS chains FROM audit_events")
            .SingleAsync(cancellationToken);
        var first = broken.Count == 0 ? null : new AuditBreak(broken[0].BrokenId, broken[0].ChainId, broken[0].Problem);
        return new AuditVerification(counts.Events, counts.Chains, first);
    }

    /// <summary>
    /// Chain 0 of a clinic is the clinic's id (platform events: the empty id); chain n is named by the first 16
    /// bytes of SHA-256 over the clinic id and n.
    /// </summary>
    public static Guid ChainId(Guid? clinicId, int chain)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(chain);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(chain, ChainsPerClinic);
        var clinic = clinicId ?? Guid.Empty;
        if (chain == 0)
        {
            return clinic;
        }

        Span<byte> input = stackalloc byte[17];
        clinic.TryWriteBytes(input);
        input[16] = (byte)chain;
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(input, hash);
        return new Guid(hash[..16]);
    }

    internal static string? Truncate(string? value, int length) =>
        value is null || value.Length <= length ? value : value[..length];

    private sealed record AuditBreakRow(long BrokenId, Guid ChainId, string Problem);

    private sealed record AuditCountRow(long Events, int Chains);
}
