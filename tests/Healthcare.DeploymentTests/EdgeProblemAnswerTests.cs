using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The shipped nginx configuration, running on loopback with no API behind it: the answers nginx writes itself
/// (a request that is not HTTP, a body over the limit, no replica) are problem details, as the API's are. HAProxy's
/// are checked through the whole production topology (ProdTopologyTests, prod-local.sh).
/// </summary>
public sealed class EdgeProblemAnswerTests
{
    [Theory]
    [InlineData("a header name with a space", "GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n\r\n", 400)]
    [InlineData("a control character in the path", "GET /api/v1/\u0001 HTTP/1.1\r\nHost: localhost\r\n\r\n", 400)]
    [InlineData("a body over the limit", "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2000000\r\n\r\n", 413)]
    [InlineData("no API replica", "GET /api/v1/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 502)]
    public async Task NginxAnswersWhatItRefusesWithProblemDetails(string what, string request, int status)
    {
        using var temp = new TempDirectory();
        var port = FreePort.Next();
        var certs = Directory.CreateDirectory(temp.File("certs")).FullName;
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Tool.WriteTestCertificate(certs).Cert));
        var nginx = await StartNginxAsync(temp, certs, port);
        try
        {
            var answer = await SendAsync(port, certificate, request);

            Assert.True(answer.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal), $"{what}: {answer}");
            Assert.True(answer.Contains("\r\nContent-Type: application/problem+json\r\n", StringComparison.Ordinal), $"{what}: {answer}");
            Assert.Contains($"\"status\":{status.ToString(CultureInfo.InvariantCulture)}", answer, StringComparison.Ordinal);
        }
        finally
        {
            await StartedProcesses.StopAsync(nginx);
        }
    }

    /// <summary>nginx in the foreground with the shipped configuration: TLS on <paramref name="port"/>, the upstream a closed port.</summary>
    private static async Task<Process> StartNginxAsync(TempDirectory temp, string certs, int port)
    {
        var config = (await File.ReadAllTextAsync(Tool.DevopsPath("nginx", "nginx.conf")))
            .Replace("server api:8088", $"server 127.0.0.1:{FreePort.Next()}", StringComparison.Ordinal)
            .Replace("listen 8080;", $"listen 127.0.0.1:{FreePort.Next()};", StringComparison.Ordinal)
            .Replace("listen 8443 ssl http2;", $"listen 127.0.0.1:{port} ssl http2;", StringComparison.Ordinal)
            .Replace("listen [::]:8080;", "", StringComparison.Ordinal)
            .Replace("listen [::]:8443 ssl http2;", "", StringComparison.Ordinal)
            .Replace("worker_processes auto;", "worker_processes 1;", StringComparison.Ordinal)
            .Replace("/etc/nginx/certs/", certs + "/", StringComparison.Ordinal)
            .Replace("/tmp/nginx", temp.File("nginx"), StringComparison.Ordinal);
        var file = temp.File("nginx.conf");
        await File.WriteAllTextAsync(file, config);

        var start = new ProcessStartInfo(Tool.Require("nginx"))
        {
            ArgumentList = { "-p", temp.Path, "-c", file, "-e", temp.File("error.log"), "-g", "daemon off;" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start");
        StartedProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TestTimeouts.Scaled(TimeSpan.FromSeconds(10));
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return process;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await StartedProcesses.StopAsync(process);
        throw new InvalidOperationException($"nginx did not listen on 127.0.0.1:{port}: {await File.ReadAllTextAsync(temp.File("error.log"))}");
    }

    /// <summary>Sends <paramref name="request"/> as raw bytes over TLS (to the test's own certificate) and reads the first answer.</summary>
    private static async Task<string> SendAsync(int port, X509Certificate2 expected, string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, presented, _, _) => presented?.GetCertHashString() == expected.GetCertHashString());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        await tls.WriteAsync(Encoding.Latin1.GetBytes(request));

        using var timeout = new CancellationTokenSource(TestTimeouts.Scaled(TimeSpan.FromSeconds(20)));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        while (!answer.ToString().Contains("\"status\":", StringComparison.Ordinal)
            && await tls.ReadAsync(buffer, timeout.Token) is var read and > 0)
        {
            answer.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        // The body ends the answer: read on until the closing brace of the problem object.
        while (!answer.ToString().TrimEnd().EndsWith('}') && await tls.ReadAsync(buffer, timeout.Token) is var more and > 0)
        {
            answer.Append(Encoding.Latin1.GetString(buffer, 0, more));
        }

        return answer.ToString();
    }
}
