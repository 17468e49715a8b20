using System.Security.Cryptography.X509Certificates;
using Healthcare.Core.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>The API's Kestrel endpoints (HTTP, HTTPS, h2c, metrics) and limits, from <see cref="HttpServerOptions"/>.</summary>
public static class KestrelEndpoints
{
    public static WebApplicationBuilder AddKestrelEndpoints(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedSettings<HttpServerOptions, HttpServerOptionsValidator>();

        // Connections waiting to be accepted. Kestrel's 512 overflows when thousands of clients connect at once (a
        // replica coming back behind the balancer, the benchmark's 10,000 idle connections); the kernel caps the
        // queue at net.core.somaxconn.
        builder.WebHost.UseSockets(sockets => sockets.Backlog = 4096);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var options = kestrel.ApplicationServices.GetRequiredService<IOptions<HttpServerOptions>>().Value;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(options.KeepAliveTimeoutSeconds);
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(options.RequestHeadersTimeoutSeconds);
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(30);

            Listen(kestrel, options, options.HttpPort, HttpProtocols.Http1, tls: false);
            if (options.HttpsPort is { } httpsPort)
            {
                Listen(kestrel, options, httpsPort, HttpProtocols.Http1AndHttp2, tls: true);
            }

            if (options.MetricsPort is { } metricsPort)
            {
                Listen(kestrel, options, metricsPort, HttpProtocols.Http1, tls: false);
            }

            if (options.H2cPort is { } h2cPort)
            {
                Listen(kestrel, options, h2cPort, HttpProtocols.Http2, tls: false);
            }
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, HttpServerOptions options, int port, HttpProtocols protocols, bool tls) =>
        kestrel.ListenOn(options.ListenIp, port, listen =>
        {
            listen.Protocols = protocols;
            if (tls)
            {
                listen.UseHttps(X509Certificate2.CreateFromPemFile(options.TlsCertPath!, options.TlsKeyPath));
            }
        });
}
