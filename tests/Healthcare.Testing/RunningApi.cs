using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xunit;

namespace Healthcare.Testing;

/// <summary>
/// A real API process on loopback with plain HTTP/1.1, HTTPS (HTTP/1.1 + HTTP/2 by ALPN) and cleartext HTTP/2
/// ports, on a freshly migrated database. Class fixture; the process and database go away afterwards.
/// </summary>
public class RunningApi : IAsyncLifetime
{
    private readonly string _tlsDirectory = Directory.CreateTempSubdirectory("hb-tls-").FullName;

    public HostProcess Process { get; private set; } = null!;

    public string DatabaseUrl { get; private set; } = "";

    public int HttpsPort { get; } = FreePort.Next();

    public int H2cPort { get; } = FreePort.Next();

    public X509Certificate2 Certificate { get; private set; } = null!;

    public Uri HttpAddress => Process.BaseAddress;

    public Uri HttpsAddress => new($"https://localhost:{HttpsPort}");

    public Uri H2cAddress => new($"http://127.0.0.1:{H2cPort}");

    /// <summary>Extra settings for this API (CORS origins, limits).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>Runs after the migrator and before the API starts, with the database owner's settings (seeding).</summary>
    protected virtual Task PrepareAsync(Dictionary<string, string?> ownerSettings) => Task.CompletedTask;

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        DatabaseUrl = await TestServers.CreateDatabaseAsync(GetType().Name);
        var settings = HostProcess.ApiSettings(DatabaseUrl);
        await using (var migrate = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.AsOwner(settings), "migrate"))
        {
            var exit = await migrate.WaitForExitAsync();
            Assert.True(exit == 0, migrate.Describe());
        }

        await PrepareAsync(HostProcess.AsOwner(settings));

        (Certificate, var certPath, var keyPath) = CreateCertificate(_tlsDirectory);
        settings["HTTPS_PORT"] = HttpsPort.ToString(CultureInfo.InvariantCulture);
        settings["H2C_PORT"] = H2cPort.ToString(CultureInfo.InvariantCulture);
        settings["TLS_CERT_PATH"] = certPath;
        settings["TLS_KEY_PATH"] = keyPath;
        Configure(settings);
        Process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
    }

    public virtual async Task DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        await TestServers.DropDatabaseAsync(DatabaseUrl);
        Certificate?.Dispose();
        Directory.Delete(_tlsDirectory, recursive: true);
    }

    /// <summary>An HttpClient that trusts only this API's test certificate.</summary>
    public HttpClient CreateTlsClient(Version version)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHashString() == Certificate.GetCertHashString() },
        };
        return new HttpClient(handler)
        {
            BaseAddress = HttpsAddress,
            DefaultRequestVersion = version,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    private static (X509Certificate2 Certificate, string CertPath, string KeyPath) CreateCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory, "tls.crt");
        var keyPath = Path.Combine(directory, "tls.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificate, certPath, keyPath);
    }
}
