using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Microsoft.AspNetCore.Http.Metadata;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// The FHIR R4 API under <c>/fhir/r4</c>: a facade over the same database, permissions and audit trail as the
/// native API (ADR 53). Every route declares its FHIR interaction, and <c>metadata</c> describes exactly those.
/// </summary>
public static class FhirApi
{
    public const string Base = "/fhir/r4";

    public static bool IsFhirPath(PathString path) => path.StartsWithSegments(Base);

    public static IServiceCollection AddFhir(this IServiceCollection services)
    {
        // Ahead of the problem-details writer, so that refusals on the FHIR base are OperationOutcomes.
        services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, FhirOutcomeWriter>());
        return services.AddScoped<FhirAccess>();
    }

    public static IEndpointRouteBuilder MapFhirApi(this IEndpointRouteBuilder endpoints)
    {
        // The CapabilityStatement describes this API; the OpenAPI document describes the native one.
        var fhir = endpoints.MapGroup(Base).ExcludeFromDescription();
        fhir.MapGet("/metadata", FhirCapability.Statement).AllowAnonymous().WithName("FhirCapabilityStatement");

        var api = fhir.MapGroup("").RequireAuthorization();
        api.MapResource(PatientResources.Type, PatientResources.Read, PatientResources.Search, PatientResources.SearchParameters);
        api.MapGet("/Patient/{id}/$everything", PatientEverything.Everything)
            .Fhir(PatientResources.Type, FhirCapability.Operation, "everything").Audited(AuditActions.Read, "FhirPatientEverything").WithName("FhirPatientEverything");
        api.MapBulkExport();
        api.MapResource(AppointmentResources.Type, AppointmentResources.Read, AppointmentResources.Search, AppointmentResources.SearchParameters);
        api.MapResource(EncounterResources.Type, EncounterResources.Read, EncounterResources.Search, EncounterResources.SearchParameters);
        api.MapResource(ObservationResources.Type, ObservationResources.Read, ObservationResources.Search, ObservationResources.SearchParameters);
        api.MapResource(AllergyIntoleranceResources.Type, AllergyIntoleranceResources.Read, AllergyIntoleranceResources.Search, AllergyIntoleranceResources.SearchParameters);
        api.MapResource(ConditionResources.Type, ConditionResources.Read, ConditionResources.Search, ConditionResources.SearchParameters);
        api.MapResource(MedicationStatementResources.Type, MedicationStatementResources.Read, MedicationStatementResources.Search, MedicationStatementResources.SearchParameters);
        api.MapResource(DocumentReferenceResources.Type, DocumentReferenceResources.Read, DocumentReferenceResources.Search, DocumentReferenceResources.SearchParameters);
        api.MapResource(AuditEventResources.Type, AuditEventResources.Read, AuditEventResources.Search, AuditEventResources.SearchParameters);
        api.MapResource("Organization", DirectoryResources.ReadOrganization);
        api.MapResource("Location", DirectoryResources.ReadLocation);
        api.MapResource("Practitioner", DirectoryResources.ReadPractitioner);
        api.MapResource(PractitionerRoleResources.Type, PractitionerRoleResources.Read, PractitionerRoleResources.Search, PractitionerRoleResources.SearchParameters);
        api.MapFhirScheduling();

        // Anything else under the base is a FHIR 404, not an empty one.
        fhir.Map("/{**rest}", () => FhirResponses.Outcome(StatusCodes.Status404NotFound, "This server has no such FHIR endpoint; see /fhir/r4/metadata."))
            .AllowAnonymous().WithName("FhirUnknown");
        return endpoints;
    }

    /// <summary>
    /// Routes a resource type's read (<c>/{type}/{id}</c>) and, when given, its search (<c>/{type}</c>), each audited as a
    /// read of <c>Fhir{type}</c> or <c>Fhir{type}Search</c>.
    /// </summary>
    private static void MapResource(this RouteGroupBuilder api, string type, Delegate read, Delegate? search = null, string[]? parameters = null)
    {
        api.MapGet($"/{type}/{{id}}", read).Fhir(type, "read").Audited(AuditActions.Read, $"Fhir{type}").WithName($"FhirRead{type}");
        if (search is not null)
        {
            api.MapGet($"/{type}", search).Fhir(type, "search-type", parameters ?? [])
                .Audited(AuditActions.Read, $"Fhir{type}Search").WithName($"FhirSearch{type}");
        }
    }

    /// <summary>Declares the FHIR interaction a route serves, for the CapabilityStatement.</summary>
    public static RouteHandlerBuilder Fhir(this RouteHandlerBuilder builder, string resourceType, string interaction, params string[] searchParameters) =>
        builder.WithMetadata(new FhirInteractionMetadata(resourceType, interaction, searchParameters))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), [FhirResponses.MediaType]));
}

/// <summary>The FHIR interaction a route serves.</summary>
public sealed record FhirInteractionMetadata(string ResourceType, string Interaction, IReadOnlyList<string> SearchParameters);
