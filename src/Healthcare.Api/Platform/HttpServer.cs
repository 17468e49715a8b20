using System.IO.Compression;
using Healthcare.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;

namespace Healthcare.Api.Platform;

/// <summary>Kestrel endpoints and limits (<see cref="KestrelEndpoints"/>), response compression, CORS, HSTS and request timeouts.</summary>
public static class HttpServer
{
    public const string ProblemJson = "application/problem+json";

    public static WebApplicationBuilder AddHttpServer(this WebApplicationBuilder builder)
    {
        builder.AddKestrelEndpoints();

        builder.Services.AddResponseCompression(options =>
        {
            // Responses carry bearer-token APIs' JSON, not cookies with secrets next to reflected input (BREACH).
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ["application/json", ProblemJson, "text/plain", "text/html", "text/css", "application/javascript", "text/javascript"];
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);

        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<HttpServerOptions>>((cors, http) =>
        {
            var origins = http.Value.CorsOrigins;
            if (origins.Length > 0)
            {
                cors.AddDefaultPolicy(policy => policy
                    .WithOrigins(origins)
                    .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
                    .WithHeaders("Authorization", "Content-Type", "X-Request-Id", "If-Match", Idempotency.KeyHeader)
                    .WithExposedHeaders("X-Request-Id", "Location", "ETag", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy", Idempotency.ReplayedHeader)
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10)));
            }
        });

        var development = builder.Environment.IsDevelopment();
        builder.Services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
            if (!development)
            {
                options.ExcludedHosts.Clear();
            }
        });

        // Only the proxies named in TRUSTED_PROXIES may set the client address and scheme. ASP.NET Core trusts
        // loopback by default and everyone when both lists are empty, so the lists are replaced, and with the
        // setting empty no forwarded header is read at all.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<HttpServerOptions>>((forwarded, http) =>
        {
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var entry in http.Value.TrustedProxyEntries)
            {
                if (TrustedProxy.TryParse(entry, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
            }

            forwarded.ForwardedHeaders = forwarded.KnownIPNetworks.Count > 0
                ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                : ForwardedHeaders.None;
            // A chain of trusted proxies (load balancer, then ingress) is walked back to the first untrusted hop.
            forwarded.ForwardLimit = null;
        });

        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<HttpServerOptions>>((timeouts, http) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy
            {
                Timeout = TimeSpan.FromSeconds(http.Value.RequestTimeoutSeconds),
                TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            });

        builder.Services.AddShutdownDrain();
        return builder;
    }
}
