using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// The route table and the OpenAPI document are the API's contract: they change only on purpose. Both are compared
/// with the files under Contract/; after an intended change, run the tests with UPDATE_CONTRACT=1 (make clients) and
/// review the diff. A change of the document that breaks its clients (<see cref="OpenApiBreakingChanges"/>) fails, and is
/// not recorded, unless the API's major version changes with it.
/// </summary>
public sealed class ContractSnapshotTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string Folder =
        Path.Combine(RepositoryPaths.Root, "tests", "Healthcare.IntegrationTests", "Platform", "Contract");

    [Fact]
    public void RouteTableMatchesTheSnapshot()
    {
        var lines = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(Describe)
            .Order(StringComparer.Ordinal);

        AssertMatches("routes.txt", string.Join('\n', lines) + "\n");
    }

    [Fact]
    public async Task OpenApiDocumentMatchesTheSnapshot()
    {
        var document = JsonNode.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        // The server is this test's address; the committed document names none (clients set their base address).
        document.AsObject().Remove("servers");
        var committed = Path.Combine(Folder, "openapi.v1.json");
        if (File.Exists(committed))
        {
            // Checked before the refresh too: UPDATE_CONTRACT=1 does not record a break within a major version.
            var before = JsonNode.Parse(await File.ReadAllTextAsync(committed))!;
            var breaking = OpenApiBreakingChanges.Find(before, document);
            Assert.True(
                breaking.Count == 0 || MajorVersion(before) != MajorVersion(document),
                $"The document breaks clients of version {before["info"]?["version"]}: keep these compatible, or raise the major version " +
                $"(ApiDocs.Version and the SDKs' versions; see docs/api-guide.md):\n{string.Join('\n', breaking)}");
        }

        AssertMatches("openapi.v1.json", document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    private static string MajorVersion(JsonNode document) => ((string?)document["info"]?["version"] ?? "").TrimStart('v').Split('.')[0];

    private static string Describe(RouteEndpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        var methods = string.Join(',', metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]);
        var access = metadata.GetMetadata<IAllowAnonymous>() is not null
            ? "anonymous"
            : string.Join('+', metadata.GetOrderedMetadata<AuthorizationPolicy>()
                .SelectMany(p => p.Requirements)
                .Select(r => r is ClinicPermissionRequirement p ? "permission:" + p.Permission : r.GetType().Name)
                .Concat(metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => "policy:" + (a.Policy ?? a.Roles ?? "authenticated")))
                .Distinct()
                .Order(StringComparer.Ordinal));
        var audited = metadata.GetMetadata<AuditedMetadata>() is { } a ? $" audited:{a.Action}:{a.ResourceType}" : "";
        return $"{methods} {endpoint.RoutePattern.RawText} [{access}]{audited}";
    }

    private static void AssertMatches(string file, string actual)
    {
        var path = Path.Combine(Folder, file);
        if (Environment.GetEnvironmentVariable("UPDATE_CONTRACT") == "1")
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(path, actual, new UTF8Encoding(false));
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with UPDATE_CONTRACT=1.");
        var expected = File.ReadAllText(path);
        Assert.True(expected == actual, $"The contract differs from {file}; if intended, update it with UPDATE_CONTRACT=1:\n" + FirstDifference(expected, actual));
    }

    private static string FirstDifference(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var l = i < left.Length ? left[i] : "<end>";
            var r = i < right.Length ? right[i] : "<end>";
            if (l != r)
            {
                return $"line {i + 1}\n- {l}\n+ {r}";
            }
        }

        return "";
    }
}
