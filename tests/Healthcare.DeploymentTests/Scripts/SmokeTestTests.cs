namespace Healthcare.DeploymentTests.Scripts;

/// <summary>devops/scripts/deployment/smoke-test.sh against a locally started API, as after a deployment.</summary>
[Collection(SeededApiGroup.Name)]
public sealed class SmokeTestTests(SeededApi api)
{
    private const string SmokeTest = "devops/scripts/deployment/smoke-test.sh";

    private Dictionary<string, string?> Account(string? password = null) => new()
    {
        ["SMOKE_TEST_EMAIL"] = api.Doctor.Email,
        ["SMOKE_TEST_PASSWORD"] = password ?? api.Doctor.Password,
    };

    [Fact]
    public async Task PassesAgainstAHealthyApiWithTheSmokeTestAccount()
    {
        var result = await Script.RunAsync(SmokeTest, ["--wait", "30", api.BaseUrl], Account());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: readiness (GET /health/ready 200, Healthy)", result.Stdout);
        Assert.Contains("ok: sign-in", result.Stdout);
        Assert.Contains("ok: read (GET /api/v1/me 200)", result.Stdout);
        Assert.Contains("ok: sign-out", result.Stdout);
        Assert.Contains("smoke test passed", result.Stdout);
        Assert.DoesNotContain(api.Doctor.Password, result.Output);
    }

    [Fact]
    public async Task FailsWithOneLineWhenTheAccountCannotSignIn()
    {
        var result = await Script.RunAsync(SmokeTest, ["--wait", "30", api.BaseUrl], Account(password: "not-the-password-123"));

        Assert.Equal(1, result.ExitCode);
        var reason = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("smoke test failed: sign-in: POST /api/v1/auth/login answered 401", reason);
        Assert.DoesNotContain("not-the-password-123", result.Output);
    }

    [Fact]
    public async Task FailsWhenNothingAnswers()
    {
        var nowhere = $"http://127.0.0.1:{Healthcare.Testing.FreePort.Next()}";

        var result = await Script.RunAsync(SmokeTest, ["--wait", "1", nowhere], Account());

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("smoke test failed: liveness: GET /health:", result.Stderr);
    }

    [Fact]
    public async Task RefusesToRunWithoutTheAccount()
    {
        var result = await Script.RunAsync(SmokeTest, [api.BaseUrl]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SMOKE_TEST_EMAIL and SMOKE_TEST_PASSWORD must be set", result.Stderr);
    }
}
