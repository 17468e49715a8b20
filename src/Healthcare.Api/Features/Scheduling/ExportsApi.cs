using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Appointment exports: a clinic admin asks for a CSV over a date range, the worker builds it, and the admin
/// downloads it through the link given with the request, which works once the file is ready and for a day.
/// </summary>
public static class ExportsApi
{
    private const string Resource = "AppointmentExport";

    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder endpoints)
    {
        var exports = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/exports").WithTags("Exports")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        exports.MapPost("", Request)
            .AcceptedWithLocation()
            .RequirePermission(Permissions.ExportsCreate)
            .Audited(AuditActions.Export, Resource)
            .Idempotent()
            .WithName("RequestAppointmentExport")
            .WithSummary("Ask for a CSV of the clinic's appointments between two local dates; the answer carries the download link (shown once).")
            .ProducesValidationProblem();
        exports.MapGet("/{id:guid}", Status)
            .RequirePermission(Permissions.ExportsCreate)
            .WithName("GetAppointmentExport")
            .WithSummary("Whether the export is pending, ready (with row count and link expiry) or failed.");
        endpoints.MapGet("/api/v1/exports/{id:guid}/download", Download).WithTags("Exports")
            .RequireAuthorization()
            .Audited(AuditActions.Export, "AppointmentExportDownload")
            .WithName("DownloadAppointmentExport")
            .WithSummary("The CSV, until the link expires, for the member who asked for it and only while they may still export the clinic's data; needs the link's token and theirs.")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone);
        return endpoints;
    }

    private static async Task<Results<Accepted<ExportRequestedDto>, ValidationProblem>> Request(
        Guid clinicId, ExportRequest request, HttpContext http, CurrentUser user, HealthcareDbContext db, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (request.ToDate < request.FromDate || request.ToDate.DayNumber - request.FromDate.DayNumber >= AppointmentExport.MaxDays)
        {
            return Problems.Field("toDate", $"The end date must not be before the start, and the range at most {AppointmentExport.MaxDays} days.");
        }

        var token = RandomNumberGenerator.GetBytes(32);
        var export = new AppointmentExport
        {
            ClinicId = clinicId,
            RequestedByUserId = user.Id,
            FromDate = request.FromDate,
            ToDate = request.ToDate,
            DownloadTokenHash = SHA256.HashData(token),
            CreatedAt = clock.GetUtcNow(),
        };
        db.AppointmentExports.Add(export);
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.AppointmentExport, new { ExportId = export.Id, clinicId }));
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = export.Id.ToString();
        var download = $"{http.Request.PathBase}/api/v1/exports/{export.Id}/download?token={Tokens.Encode(token)}";
        return TypedResults.Accepted($"/api/v1/clinics/{clinicId}/exports/{export.Id}", new ExportRequestedDto(export.ToDto(), download));
    }

    private static async Task<Results<Ok<ExportDto>, NotFound>> Status(Guid clinicId, Guid id, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var export = await db.AppointmentExports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id && e.ClinicId == clinicId, cancellationToken);
        return export is null ? TypedResults.NotFound() : TypedResults.Ok(export.ToDto());
    }

    private static async Task<Results<FileContentHttpResult, NotFound, ProblemHttpResult>> Download(
        Guid id, string? token, CurrentUser caller, AuthStateCache access, HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock,
        Auditor audit, CancellationToken cancellationToken)
    {
        var presented = Tokens.Decode(token);
        var export = presented is null ? null : await db.AppointmentExports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        // Unknown export, wrong token and someone else's export look the same: a link works only for who asked for it.
        if (export is null || export.RequestedByUserId != caller.Id ||
            !CryptographicOperations.FixedTimeEquals(export.DownloadTokenHash, SHA256.HashData(presented!)))
        {
            return TypedResults.NotFound();
        }

        audit.ClinicId = export.ClinicId;
        var callerAccess = await access.GetAccessAsync(caller.Id, cancellationToken);
        if (!callerAccess.IsSuperAdmin &&
            !(callerAccess.Roles.TryGetValue(export.ClinicId, out var role) && Permissions.Grants(role, Permissions.ExportsCreate)))
        {
            // The link outlives a role change or a removal from the clinic; the data does not.
            return TypedResults.Problem(
                title: "You may no longer export this clinic's data.",
                detail: "Your role in the clinic changed after the export was asked for.",
                statusCode: StatusCodes.Status403Forbidden);
        }

        if (export.Status != ExportStatus.Ready)
        {
            return TypedResults.Problem(
                title: export.Status == ExportStatus.Failed ? "The export failed." : "The export is not ready yet.",
                detail: export.Status == ExportStatus.Failed ? "Request a new export." : "Try again in a few seconds.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["exportStatus"] = export.Status });
        }

        if (clock.GetUtcNow() >= export.ExpiresAt)
        {
            return TypedResults.Problem(title: "The download link has expired.", detail: "Request a new export.", statusCode: StatusCodes.Status410Gone);
        }

        var csv = System.Text.Encoding.UTF8.GetBytes(encryption.Decrypt(export.ContentEncrypted)!);
        return TypedResults.File(csv, "text/csv", $"appointments-{export.FromDate:yyyy-MM-dd}-{export.ToDate:yyyy-MM-dd}.csv");
    }
}

public sealed record ExportRequest([property: Required] DateOnly FromDate, [property: Required] DateOnly ToDate);

public sealed record ExportDto(Guid Id, DateOnly FromDate, DateOnly ToDate, [property: OneOf(typeof(ExportStatus))] string Status, int? RowCount, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>The new export and its download link; the link's token is shown only here.</summary>
public sealed record ExportRequestedDto(ExportDto Export, string DownloadUrl);

public static class ExportMapping
{
    public static ExportDto ToDto(this AppointmentExport e) => new(e.Id, e.FromDate, e.ToDate, e.Status, e.RowCount, e.CreatedAt, e.ExpiresAt);
}
