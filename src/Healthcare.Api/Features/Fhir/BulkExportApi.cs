using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Healthcare.Api.Features.Apps;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// FHIR Bulk Data export (HL7 Bulk Data Access IG v2, asynchronous request pattern, ADR 55): <c>Group/{clinicId}/$export</c>
/// (the clinic's patients and their data) and <c>Patient/$export</c> (the patients of every clinic the caller reaches).
/// The kick-off checks the caller's reach for each type as that type's search would, records the request with what it
/// reaches (<see cref="BulkExport"/>) and leaves the files to the worker; the answer is 202 with the status URL in
/// <c>Content-Location</c>. Only the requester (same token subject and client) may poll, download or cancel.
/// </summary>
public static partial class BulkExportApi
{
    public const string StatusPath = "/$export-status";
    public const string FilePath = "/$export-file";

    /// <summary>Seconds a client is asked to wait between polls of an unfinished export.</summary>
    public const int PollSeconds = 10;

    /// <summary>Seconds a client is asked to wait before asking again while its previous export is unfinished.</summary>
    private const int BusySeconds = 60;

    private const string Resource = "FhirBulkExport";
    private static readonly string[] Parameters = ["_type", "_since", "_outputFormat"];

    // 'application/fhir ndjson' is the '+' of an unencoded query read as a space.
    private static readonly string[] OutputFormats = ["application/fhir+ndjson", "application/ndjson", "ndjson", "application/fhir ndjson"];

    public static void MapBulkExport(this RouteGroupBuilder api)
    {
        api.MapGet("/Group/{id}/$export", Group)
            .Fhir("Group", FhirCapability.Operation, "export").Audited(AuditActions.Export, Resource).WithName("FhirGroupExport");
        api.MapGet("/Patient/$export", Patients)
            .Fhir(PatientResources.Type, FhirCapability.Operation, "export").Audited(AuditActions.Export, Resource).WithName("FhirPatientExport");
        api.MapGet(StatusPath + "/{id}", BulkExportFiles.Status).WithName("FhirExportStatus");
        api.MapDelete(StatusPath + "/{id}", BulkExportFiles.Cancel).WithName("FhirExportCancel");
        api.MapGet(FilePath + "/{id}", BulkExportFiles.Download).Audited(AuditActions.Export, "FhirBulkExportFile").WithName("FhirExportFile");
    }

    /// <summary><c>GET /fhir/r4/Group/{clinicId}/$export</c>: the clinic's patients and every resource of theirs the caller reaches.</summary>
    public static async Task<IResult> Group(
        string id, HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Parse(http, out var request) is { } invalid)
        {
            return invalid;
        }

        var reaches = await ReachesAsync(access, request.Types, cancellationToken);
        if (CompartmentOnly(reaches) is { } compartment)
        {
            return compartment;
        }

        // Another clinic's Group does not exist for this caller, as any resource out of reach.
        if (!Guid.TryParse(id, out var clinicId) || !reaches.Any(r => r.Reach.ReachesClinic(clinicId)) ||
            !await db.Clinics.AnyAsync(c => c.Id == clinicId, cancellationToken))
        {
            return FhirResponses.NotFound("Group");
        }

        var parts = new List<BulkExportPart>();
        foreach (var (type, reach) in reaches)
        {
            if (reach.ReachesClinic(clinicId))
            {
                parts.Add(new BulkExportPart(type, [clinicId]));
            }
            else if (request.Explicit)
            {
                return TypeRefusal(type, reach);
            }
        }

        audit.ClinicId = clinicId;
        audit.Role = reaches.Select(r => r.Reach.RoleIn(clinicId)).FirstOrDefault(r => r is not null);
        return await StartAsync(http, db, audit, clock, request, clinicId, parts, cancellationToken);
    }

    /// <summary><c>GET /fhir/r4/Patient/$export</c>: the patients of every clinic the caller reaches, and their data.</summary>
    public static async Task<IResult> Patients(
        HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Parse(http, out var request) is { } invalid)
        {
            return invalid;
        }

        var reaches = await ReachesAsync(access, request.Types, cancellationToken);
        if (CompartmentOnly(reaches) is { } compartment)
        {
            return compartment;
        }

        var parts = new List<BulkExportPart>();
        foreach (var (type, reach) in reaches)
        {
            if (reach.AllClinics || reach.Clinics.Count > 0)
            {
                parts.Add(new BulkExportPart(type, reach.AllClinics ? null : [.. reach.Clinics.Keys.Order()]));
            }
            else if (request.Explicit)
            {
                return TypeRefusal(type, reach);
            }
        }

        // The audit chain of the one clinic exported, or the platform's when the export spans several.
        if (BulkExport.SingleClinic(parts) is { } clinicId)
        {
            audit.ClinicId = clinicId;
            audit.Role = reaches.Select(r => r.Reach.RoleIn(clinicId)).FirstOrDefault(r => r is not null);
        }

        return await StartAsync(http, db, audit, clock, request, null, parts, cancellationToken);
    }

    /// <summary>
    /// The requester of an export: the token's subject and, for a third-party app's token, its client id (a backend
    /// service's token has its client id as subject too).
    /// </summary>
    public static (string Subject, string? ClientId) Requester(ClaimsPrincipal user) =>
        (user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? "", AppTokens.ClientIdOf(user));

    /// <summary>The exports of the requester of this request.</summary>
    public static IQueryable<BulkExport> OwnedBy(this IQueryable<BulkExport> exports, HttpContext http)
    {
        var (subject, clientId) = Requester(http.User);
        return exports.Where(e => e.RequesterSubject == subject && e.RequesterClientId == clientId);
    }

    public static string StatusUrl(HttpContext http, Guid exportId) => $"{FhirSearch.BaseUrl(http)}{StatusPath}/{exportId}";

    private static async Task<IResult> StartAsync(
        HttpContext http, HealthcareDbContext db, Auditor audit, TimeProvider clock, ExportRequest request, Guid? groupId, List<BulkExportPart> parts,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var (subject, clientId) = Requester(http.User);
        var mine = db.BulkExports.OwnedBy(http).Where(e => BulkExportStatus.Unfinished.Contains(e.Status));
        // An export that outlived its retention unfinished (its job lost) no longer holds the requester back.
        await mine.Where(e => e.ExpiresAt <= now).ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, BulkExportStatus.Failed), cancellationToken);
        if (await mine.Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken) is { } unfinished)
        {
            return Busy(http, unfinished);
        }

        var export = new BulkExport
        {
            GroupId = groupId,
            RequesterSubject = subject,
            RequesterClientId = clientId,
            Request = http.Request.Path.Value![FhirApi.Base.Length..] + http.Request.QueryString,
            Since = request.Since,
            Parts = BulkExport.PartsJson(parts),
            CreatedAt = now,
            ExpiresAt = now + BulkExport.Retention,
        };
        db.BulkExports.Add(export);
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.FhirBulkExport, new { ExportId = export.Id }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // A concurrent kick-off of the same requester won.
            return Busy(http, null);
        }

        audit.ResourceId = export.Id.ToString();
        http.Response.Headers.ContentLocation = StatusUrl(http, export.Id);
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    private static IResult Busy(HttpContext http, Guid? unfinished)
    {
        http.Response.Headers.RetryAfter = BusySeconds.ToString(CultureInfo.InvariantCulture);
        var status = unfinished is { } id ? $" ({StatusUrl(http, id)})" : "";
        return FhirResponses.Outcome(
            StatusCodes.Status429TooManyRequests, $"An export of this requester is not finished{status}: wait for it or cancel it (DELETE its status URL).");
    }

    /// <summary>The types asked for, whether <c>_type</c> named them, and <c>_since</c>.</summary>
    private sealed record ExportRequest(IReadOnlyList<string> Types, bool Explicit, DateTimeOffset? Since);

    /// <summary>Checks <c>Prefer</c> and the parameters; the refusal, or null with the request.</summary>
    private static IResult? Parse(HttpContext http, out ExportRequest request)
    {
        request = new ExportRequest(BulkExportTypes.All, false, null);
        var prefer = http.Request.Headers["Prefer"].SelectMany(v => (v ?? "").Split([',', ';'], StringSplitOptions.TrimEntries));
        if (!prefer.Contains("respond-async", StringComparer.OrdinalIgnoreCase))
        {
            return FhirResponses.Outcome(StatusCodes.Status400BadRequest, "An export runs asynchronously: send Prefer: respond-async.");
        }

        var query = http.Request.Query;
        if (!FhirSearch.IsLenient(http) && query.Keys.FirstOrDefault(name => !Parameters.Contains(name)) is { } unsupported)
        {
            return FhirResponses.Invalid(unsupported, $"The parameter '{unsupported}' is not supported by $export (send Prefer: handling=lenient to ignore it).");
        }

        if (query["_outputFormat"].Any(f => !OutputFormats.Contains(f ?? "")))
        {
            return FhirResponses.Invalid("_outputFormat", "_outputFormat must be application/fhir+ndjson (or application/ndjson, ndjson).");
        }

        DateTimeOffset? since = null;
        if (query["_since"] is { Count: > 0 } sinceValues)
        {
            if (sinceValues.Count > 1 || !InstantPattern().IsMatch(sinceValues[0] ?? "") ||
                !DateTimeOffset.TryParse(sinceValues[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var instant))
            {
                return FhirResponses.Invalid("_since", "_since takes one FHIR instant with its time zone, such as 2026-01-01T00:00:00Z.");
            }

            since = instant;
        }

        var named = FhirSearch.Values(query["_type"]).Distinct().ToList();
        if (named.FirstOrDefault(t => !BulkExportTypes.All.Contains(t)) is { } unknown)
        {
            return FhirResponses.Invalid("_type", $"'{unknown}' cannot be exported; _type takes a comma-separated list of {string.Join(", ", BulkExportTypes.All)}.");
        }

        request = named.Count > 0 ? new ExportRequest([.. BulkExportTypes.All.Where(named.Contains)], true, since) : request with { Since = since };
        return null;
    }

    private static async Task<List<(string Type, Reach Reach)>> ReachesAsync(FhirAccess access, IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        var reaches = new List<(string, Reach)>();
        foreach (var type in types)
        {
            // An export is a search of each type: its permission and its scopes' 's'.
            reaches.Add((type, await access.ReachAsync(type, 's', BulkExportTypes.PermissionOf(type), cancellationToken)));
        }

        return reaches;
    }

    /// <summary>
    /// A refusal when the caller reaches no clinic's data at all: the token's scopes grant none of the types, or the
    /// caller reaches only their own records (a patient, or <c>patient/</c> scopes), which <c>$everything</c> serves.
    /// </summary>
    private static IResult? CompartmentOnly(List<(string Type, Reach Reach)> reaches) =>
        reaches.Any(r => r.Reach.AllClinics || r.Reach.Clinics.Count > 0) ? null
        : reaches.All(r => r.Reach.IsScopeMissing) ? FhirResponses.Outcome(
            StatusCodes.Status403Forbidden, "The token's SMART scopes do not grant 's' on any of the types asked for.")
        : FhirResponses.Outcome(
            StatusCodes.Status403Forbidden,
            "Bulk export covers the data of the clinics a caller works in; a patient's own record is served by Patient/{id}/$everything.");

    private static IResult TypeRefusal(string type, Reach reach) => reach.IsScopeMissing
        ? Reach.ScopeRefusal(type, 's')
        : FhirResponses.Outcome(StatusCodes.Status403Forbidden, $"The caller's role does not grant {BulkExportTypes.PermissionOf(type)}, which {type} needs, here.");

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex InstantPattern();
}
