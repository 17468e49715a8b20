using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Clinics;

/// <summary>A clinic's sites. Everyone in the clinic may read them; clinic admins manage them.</summary>
public static class LocationsApi
{
    private const string Resource = "Location";

    public static IEndpointRouteBuilder MapLocationsApi(this IEndpointRouteBuilder endpoints)
    {
        var locations = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/locations").WithTags("Clinics")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        locations.MapGet("", List)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("ListLocations")
            .WithSummary("The clinic's locations, active ones first.");
        locations.MapGet("/{id:guid}", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetLocation")
            .WithSummary("One location; the ETag is the version to send as If-Match when updating.");
        locations.MapPost("", Create)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("CreateLocation")
            .WithSummary("Add a location.")
            .ProducesValidationProblem();
        locations.MapPut("/{id:guid}", Update)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("UpdateLocation")
            .WithSummary("Replace a location's details or deactivate it. Needs If-Match.")
            .ProducesValidationProblem()
            .RequiresIfMatch();
        return endpoints;
    }

    private static async Task<Ok<List<LocationDto>>> List(Guid clinicId, HealthcareDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Locations.AsNoTracking()
            .Where(l => l.ClinicId == clinicId)
            .OrderByDescending(l => l.IsActive).ThenBy(l => l.Name)
            .Select(l => new LocationDto(l.Id, l.ClinicId, l.Name, l.Address, l.Phone, l.IsActive))
            .ToListAsync(cancellationToken));

    private static async Task<Results<Ok<LocationDto>, NotFound>> Get(
        Guid clinicId, Guid id, HttpContext http, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var location = await db.Locations.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id && l.ClinicId == clinicId, cancellationToken);
        if (location is null)
        {
            return TypedResults.NotFound();
        }

        http.SetETag(location.Version);
        return TypedResults.Ok(location.ToDto());
    }

    private static async Task<Results<Created<LocationDto>, ValidationProblem>> Create(
        Guid clinicId, LocationRequest request, HttpContext http, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        var name = request.Name.Trim();
        if (await db.Locations.AnyAsync(l => l.ClinicId == clinicId && l.Name == name, cancellationToken))
        {
            return Problems.Field("name", "The clinic has a location with this name.");
        }

        var location = new Location { ClinicId = clinicId, Name = name };
        request.ApplyTo(location);
        db.Locations.Add(location);
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = location.Id.ToString();
        http.SetETag(location.Version);
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/locations/{location.Id}", location.ToDto());
    }

    private static Task<Results<Ok<LocationDto>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        Guid clinicId, Guid id, LocationRequest request, HttpContext http, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        return ConcurrencyCheckedUpdates.UpdateAsync(
            http, db, "location",
            validate: request.Validate,
            load: () => db.Locations.SingleOrDefaultAsync(l => l.Id == id && l.ClinicId == clinicId, cancellationToken),
            version: l => l.Version,
            apply: location =>
            {
                location.Name = request.Name.Trim();
                request.ApplyTo(location);
                return ConcurrencyCheckedUpdates.Applied;
            },
            refused: e => e.IsUniqueViolation() ? Problems.Field("name", "The clinic has a location with this name.") : null,
            answer: location => Task.FromResult(location.ToDto()));
    }
}

public sealed record LocationRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Name,
    Address? Address,
    [property: Phone, MaxLength(32)] string? Phone,
    bool? IsActive)
{
    public ValidationProblem? Validate() =>
        Phone is not null && Phones.ToE164(Phone, Address?.Country) is null ? Problems.Field("phone", Phones.Hint) : null;

    public void ApplyTo(Location location)
    {
        location.Address = Address;
        location.Phone = Phone is null ? null : Phones.ToE164(Phone, Address?.Country);
        location.IsActive = IsActive ?? true;
    }
}

public sealed record LocationDto(Guid Id, Guid ClinicId, string Name, Address? Address, string? Phone, bool IsActive);

public static class LocationMapping
{
    public static LocationDto ToDto(this Location l) => new(l.Id, l.ClinicId, l.Name, l.Address, l.Phone, l.IsActive);
}
