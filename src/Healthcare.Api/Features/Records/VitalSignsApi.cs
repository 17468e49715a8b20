using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>A patient's vital signs, recorded together per measurement.</summary>
public static class VitalSignsApi
{
    private const string VitalsResource = "VitalSign";
    private static readonly string[] KindFilter = ["kind"];

    internal static void MapVitalSigns(this RouteGroupBuilder records)
    {
        records.MapPost("/vitals", RecordVitals)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, VitalsResource)
            .WithName("RecordVitals")
            .WithSummary("Record vital signs measured together: blood pressure (mmHg), heart rate (/min), temperature (°C), SpO2 (%), weight (kg), height (cm). Implausible values are refused naming the field.")
            .ProducesValidationProblem();
        records.MapGet("/vitals", ListVitals)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, VitalsResource)
            .WithName("ListVitals")
            .WithSummary("The patient's vital signs, latest measurement first; filter kind; keyset paginated.")
            .ProducesValidationProblem();
    }

    private static async Task<Results<Created<List<VitalDto>>, NotFound, ValidationProblem>> RecordVitals([AsParameters] PatientScope scope, VitalsRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (request.Validate(now) is { } invalid)
        {
            return invalid;
        }

        if (!await RecordEndpoints.HasEncounterAsync(scope, request.EncounterId))
        {
            return RecordEndpoints.UnknownEncounter();
        }

        var vitals = request.Measurements().Select(m => new VitalSign
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            EncounterId = request.EncounterId,
            Kind = m.Kind.Name,
            Value = m.Value,
            SecondaryValue = m.Diastolic,
            Unit = m.Kind.Unit,
            MeasuredAt = request.MeasuredAt ?? now,
            RecordedByUserId = scope.Caller.Id,
            CreatedAt = now,
        }).ToList();
        scope.Db.VitalSigns.AddRange(vitals);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        return TypedResults.Created($"{scope.Base}/vitals", vitals.Select(v => v.ToDto()).ToList());
    }

    private static async Task<Results<Ok<Page<VitalDto>>, NotFound, ValidationProblem>> ListVitals(
        [AsParameters] PatientScope scope, string? kind, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, KindFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (kind is not null && VitalKinds.Find(kind) is null)
        {
            return Problems.Field("kind", $"Use one of: {string.Join(", ", VitalKinds.All.Select(k => k.Name))}.");
        }

        var query = scope.Records<VitalSign>().AsNoTracking();
        if (kind is not null)
        {
            query = query.Where(v => v.Kind == kind);
        }

        var (rows, next) = await RecordQueries.LatestMeasuredFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<VitalDto>(rows.Select(v => v.ToDto()).ToList(), next));
    }
}
