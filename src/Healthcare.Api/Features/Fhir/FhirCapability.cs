using System.Reflection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// <c>GET /fhir/r4/metadata</c>: the CapabilityStatement, generated from the routes that declare a FHIR interaction,
/// so that it cannot promise what is not routed.
/// </summary>
public static class FhirCapability
{
    private static readonly Dictionary<string, SearchParamType> ParameterTypes = new()
    {
        ["_id"] = SearchParamType.Token,
        ["identifier"] = SearchParamType.Token,
        ["name"] = SearchParamType.String,
        ["birthdate"] = SearchParamType.Date,
        ["gender"] = SearchParamType.Token,
        ["patient"] = SearchParamType.Reference,
        ["organization"] = SearchParamType.Reference,
        ["practitioner"] = SearchParamType.Reference,
        ["actor"] = SearchParamType.Reference,
        ["date"] = SearchParamType.Date,
        ["status"] = SearchParamType.Token,
        ["clinical-status"] = SearchParamType.Token,
        ["category"] = SearchParamType.Token,
        ["code"] = SearchParamType.Token,
        ["schedule"] = SearchParamType.Reference,
        ["start"] = SearchParamType.Date,
        ["appointment-type"] = SearchParamType.Token,
    };

    /// <summary>The interaction of a route that runs an operation; its name is the metadata's one parameter.</summary>
    public const string Operation = "operation";

    private const string BulkDataCapabilities = "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data";

    public static IResult Statement(HttpContext http, EndpointDataSource routes) => FhirResponses.Resource(Build(http, routes.Endpoints));

    public static CapabilityStatement Build(HttpContext http, IEnumerable<Microsoft.AspNetCore.Http.Endpoint> endpoints)
    {
        var interactions = endpoints.Select(e => e.Metadata.GetMetadata<FhirInteractionMetadata>()).OfType<FhirInteractionMetadata>().ToList();
        var rest = new CapabilityStatement.RestComponent
        {
            Mode = CapabilityStatement.RestfulCapabilityMode.Server,
            Security = new CapabilityStatement.SecurityComponent
            {
                Cors = true,
                Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR")],
                Description = "Bearer access tokens of this server; SMART v2 scopes in the token's scope claim narrow the caller's roles.",
            },
        };
        foreach (var group in interactions.GroupBy(i => i.ResourceType).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var resource = new CapabilityStatement.ResourceComponent
            {
                Type = group.Key,
                Versioning = CapabilityStatement.ResourceVersionPolicy.Versioned,
                ReadHistory = false,
                UpdateCreate = false,
            };
            foreach (var interaction in group.Select(i => i.Interaction).Where(i => i != Operation).Distinct().Order(StringComparer.Ordinal))
            {
                resource.Interaction.Add(new CapabilityStatement.ResourceInteractionComponent
                {
                    Code = Enum.GetValues<CapabilityStatement.TypeRestfulInteraction>().Single(c => c.GetLiteral() == interaction),
                });
            }

            foreach (var operation in group.Where(i => i.Interaction == Operation).SelectMany(i => i.SearchParameters))
            {
                resource.Operation.Add(new CapabilityStatement.OperationComponent
                {
                    Name = operation,
                    Definition = DefinitionOf(group.Key, operation),
                });
            }

            var searches = group.Where(i => i.Interaction == "search-type").SelectMany(i => i.SearchParameters);
            foreach (var parameter in searches.Where(p => !p.StartsWith("_include", StringComparison.Ordinal)).Distinct())
            {
                resource.SearchParam.Add(new CapabilityStatement.SearchParamComponent { Name = parameter, Type = ParameterTypes[parameter] });
            }

            if (group.Any(i => i.SearchParameters.Contains("_include")))
            {
                resource.SearchInclude = [AppointmentResources.IncludePatient];
            }

            rest.Resource.Add(resource);
        }

        return new CapabilityStatement
        {
            // The Bulk Data IG's server capabilities, once an $export is routed.
            Instantiates = interactions.Any(i => i.Interaction == Operation && i.SearchParameters.Contains("export")) ? [BulkDataCapabilities] : [],
            Status = PublicationStatus.Active,
            Date = "2026-12-08",
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent
            {
                Name = "Healthcare Backend",
                Version = typeof(FhirCapability).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
            },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Healthcare Backend FHIR R4 API", Url = FhirSearch.BaseUrl(http) },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["json", FhirResponses.MediaType],
            Rest = [rest],
        };
    }

    /// <summary>An operation's definition: FHIR core's, or the Bulk Data IG's for <c>$export</c>.</summary>
    private static string DefinitionOf(string resourceType, string operation) => operation == "export"
        ? $"http://hl7.org/fhir/uv/bulkdata/OperationDefinition/{resourceType.ToLowerInvariant()}-export"
        : $"http://hl7.org/fhir/OperationDefinition/{resourceType}-{operation}";
}
