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
        api.MapGet("/Patient/{id}", PatientResources.Read)
            .Fhir(PatientResources.Type, "read").Audited(AuditActions.Read, "FhirPatient").WithName("FhirReadPatient");
        api.MapGet("/Patient", PatientResources.Search)
            .Fhir(PatientResources.Type, "search-type", PatientResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirPatientSearch").WithName("FhirSearchPatient");
        api.MapGet("/Appointment/{id}", AppointmentResources.Read)
            .Fhir(AppointmentResources.Type, "read").Audited(AuditActions.Read, "FhirAppointment").WithName("FhirReadAppointment");
        api.MapGet("/Appointment", AppointmentResources.Search)
            .Fhir(AppointmentResources.Type, "search-type", AppointmentResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirAppointmentSearch").WithName("FhirSearchAppointment");
        api.MapGet("/Encounter/{id}", EncounterResources.Read)
            .Fhir(EncounterResources.Type, "read").Audited(AuditActions.Read, "FhirEncounter").WithName("FhirReadEncounter");
        api.MapGet("/Encounter", EncounterResources.Search)
            .Fhir(EncounterResources.Type, "search-type", EncounterResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirEncounterSearch").WithName("FhirSearchEncounter");
        api.MapGet("/Observation/{id}", ObservationResources.Read)
            .Fhir(ObservationResources.Type, "read").Audited(AuditActions.Read, "FhirObservation").WithName("FhirReadObservation");
        api.MapGet("/Observation", ObservationResources.Search)
            .Fhir(ObservationResources.Type, "search-type", ObservationResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirObservationSearch").WithName("FhirSearchObservation");
        api.MapGet("/AllergyIntolerance/{id}", AllergyIntoleranceResources.Read)
            .Fhir(AllergyIntoleranceResources.Type, "read").Audited(AuditActions.Read, "FhirAllergyIntolerance").WithName("FhirReadAllergyIntolerance");
        api.MapGet("/AllergyIntolerance", AllergyIntoleranceResources.Search)
            .Fhir(AllergyIntoleranceResources.Type, "search-type", AllergyIntoleranceResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirAllergyIntoleranceSearch").WithName("FhirSearchAllergyIntolerance");
        api.MapGet("/Condition/{id}", ConditionResources.Read)
            .Fhir(ConditionResources.Type, "read").Audited(AuditActions.Read, "FhirCondition").WithName("FhirReadCondition");
        api.MapGet("/Condition", ConditionResources.Search)
            .Fhir(ConditionResources.Type, "search-type", ConditionResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirConditionSearch").WithName("FhirSearchCondition");
        api.MapGet("/MedicationStatement/{id}", MedicationStatementResources.Read)
            .Fhir(MedicationStatementResources.Type, "read").Audited(AuditActions.Read, "FhirMedicationStatement").WithName("FhirReadMedicationStatement");
        api.MapGet("/MedicationStatement", MedicationStatementResources.Search)
            .Fhir(MedicationStatementResources.Type, "search-type", MedicationStatementResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirMedicationStatementSearch").WithName("FhirSearchMedicationStatement");
        api.MapGet("/DocumentReference/{id}", DocumentReferenceResources.Read)
            .Fhir(DocumentReferenceResources.Type, "read").Audited(AuditActions.Read, "FhirDocumentReference").WithName("FhirReadDocumentReference");
        api.MapGet("/DocumentReference", DocumentReferenceResources.Search)
            .Fhir(DocumentReferenceResources.Type, "search-type", DocumentReferenceResources.SearchParameters)
            .Audited(AuditActions.Read, "FhirDocumentReferenceSearch").WithName("FhirSearchDocumentReference");
        api.MapGet("/Organization/{id}", DirectoryResources.ReadOrganization)
            .Fhir("Organization", "read").Audited(AuditActions.Read, "FhirOrganization").WithName("FhirReadOrganization");
        api.MapGet("/Location/{id}", DirectoryResources.ReadLocation)
            .Fhir("Location", "read").Audited(AuditActions.Read, "FhirLocation").WithName("FhirReadLocation");
        api.MapGet("/Practitioner/{id}", DirectoryResources.ReadPractitioner)
            .Fhir("Practitioner", "read").Audited(AuditActions.Read, "FhirPractitioner").WithName("FhirReadPractitioner");
        api.MapFhirScheduling();

        // Anything else under the base is a FHIR 404, not an empty one.
        fhir.Map("/{**rest}", () => FhirResponses.Outcome(StatusCodes.Status404NotFound, "This server has no such FHIR endpoint; see /fhir/r4/metadata."))
            .AllowAnonymous().WithName("FhirUnknown");
        return endpoints;
    }

    /// <summary>Declares the FHIR interaction a route serves, for the CapabilityStatement.</summary>
    public static RouteHandlerBuilder Fhir(this RouteHandlerBuilder builder, string resourceType, string interaction, params string[] searchParameters) =>
        builder.WithMetadata(new FhirInteractionMetadata(resourceType, interaction, searchParameters))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), [FhirResponses.MediaType]));
}

/// <summary>The FHIR interaction a route serves.</summary>
public sealed record FhirInteractionMetadata(string ResourceType, string Interaction, IReadOnlyList<string> SearchParameters);
