using System.Globalization;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using AuditEvent = Hl7.Fhir.Model.AuditEvent;
using AuditRow = Healthcare.Core.Audit.AuditEvent;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// AuditEvent: the audit trail as FHIR, for callers whose role grants audit:read in the clinic (clinic administrators,
/// platform administrators); read by the row's number and search by <c>patient</c> and <c>date</c>, newest first.
/// Reading the trail is itself audited.
/// </summary>
public static class AuditEventResources
{
    public const string Type = "AuditEvent";
    public static readonly string[] SearchParameters = ["patient", "date"];

    private const string EventTypes = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private const string Users = "urn:healthcare-backend:user";

    public static async Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(Type, 'r', Permissions.AuditRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 'r');
        }

        var row = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await db.AuditEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == number, cancellationToken)
            : null;
        if (row?.ClinicId is not { } clinicId || !reach.ReachesClinic(clinicId))
        {
            return FhirResponses.NotFound(Type);
        }

        reach.Audit(audit, clinicId, row.PatientId);
        return FhirResponses.Resource(ToFhir(row));
    }

    public static async Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        if (FhirSearch.Check(http, SearchParameters, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(Type, 's', Permissions.AuditRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 's');
        }

        var rows = db.AuditEvents.AsNoTracking();
        if (!reach.AllClinics)
        {
            var clinics = reach.Clinics.Keys.Select(c => (Guid?)c).ToList();
            rows = rows.Where(e => clinics.Contains(e.ClinicId));
        }

        foreach (var value in http.Request.Query["patient"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryReference(value, "Patient", out var patient))
            {
                return FhirResponses.Invalid("patient", "patient takes a reference: Patient/{id} or the id.");
            }

            rows = rows.Where(e => e.PatientId == patient);
        }

        foreach (var value in http.Request.Query["date"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryParseDate(value, out var prefix, out var from, out var to))
            {
                return FhirResponses.Invalid("date", "date takes a date or an instant, optionally with the prefix eq, ge, gt, le or lt.");
            }

            rows = prefix switch
            {
                "ge" => rows.Where(e => e.OccurredAt >= from),
                "gt" => rows.Where(e => e.OccurredAt >= to),
                "le" => rows.Where(e => e.OccurredAt < to),
                "lt" => rows.Where(e => e.OccurredAt < from),
                _ => rows.Where(e => e.OccurredAt >= from && e.OccurredAt < to),
            };
        }

        // Newest first: the next page starts below the last row's number.
        if (FhirSearch.AfterNumber(http) is { } last)
        {
            rows = rows.Where(e => e.Id < last);
        }

        var matches = await rows.OrderByDescending(e => e.Id).Take(count + 1).ToListAsync(cancellationToken);
        var bundle = FhirSearch.Page(http, matches, count, e => e.Id.ToString(CultureInfo.InvariantCulture), ToFhir);
        return FhirResponses.Resource(bundle);
    }

    public static AuditEvent ToFhir(AuditRow row)
    {
        var audit = new AuditEvent
        {
            Id = row.Id.ToString(CultureInfo.InvariantCulture),
            Type = new Coding(EventTypes, "rest", "RESTful Operation"),
            Subtype = [new Coding("urn:healthcare-backend:audit-action", row.Action)],
            Action = row.Action switch
            {
                AuditActions.Create => AuditEvent.AuditEventAction.C,
                AuditActions.Read or AuditActions.Export => AuditEvent.AuditEventAction.R,
                AuditActions.Update => AuditEvent.AuditEventAction.U,
                AuditActions.Delete => AuditEvent.AuditEventAction.D,
                _ => AuditEvent.AuditEventAction.E,
            },
            Recorded = row.OccurredAt.ToUniversalTime(),
            Outcome = row.Outcome switch
            {
                AuditOutcomes.Success => AuditEvent.AuditEventOutcome.N0,
                AuditOutcomes.Denied => AuditEvent.AuditEventOutcome.N4,
                _ => AuditEvent.AuditEventOutcome.N8,
            },
            OutcomeDesc = row.Outcome,
            Source = new AuditEvent.SourceComponent
            {
                Observer = row.ClinicId is { } clinic ? FhirMapping.Reference("Organization", clinic) : new ResourceReference { Display = "Healthcare Backend" },
            },
        };
        var agent = new AuditEvent.AgentComponent { Requestor = true };
        if (row.UserId is { } user)
        {
            agent.Who = new ResourceReference { Identifier = new Identifier(Users, user.ToString()) };
        }

        if (row.UserRole is { Length: > 0 } role)
        {
            agent.Role = [new CodeableConcept { Text = role }];
        }

        if (row.IpAddress is { Length: > 0 } address)
        {
            agent.Network = new AuditEvent.NetworkComponent { Address = address, Type = AuditEvent.AuditEventAgentNetworkType.N2 };
        }

        audit.Agent.Add(agent);
        if (row.PatientId is { } patient)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent
            {
                What = FhirMapping.Reference("Patient", patient),
                Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
            });
        }

        audit.Entity.Add(new AuditEvent.EntityComponent
        {
            What = new ResourceReference { Display = row.ResourceId is { Length: > 0 } id ? $"{row.ResourceType}/{id}" : row.ResourceType },
            Type = new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
        });
        return audit;
    }
}
