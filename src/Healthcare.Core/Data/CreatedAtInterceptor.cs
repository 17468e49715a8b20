using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Healthcare.Core.Data;

/// <summary>Stamps <c>CreatedAt</c> on new rows from the injected clock, so tests can move time.</summary>
public sealed class CreatedAtInterceptor(TimeProvider clock) : SaveChangesInterceptor
{
    private const string CreatedAt = "CreatedAt";

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Stamp(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State == EntityState.Added &&
                entry.Metadata.FindProperty(CreatedAt) is not null &&
                entry.Property(CreatedAt).CurrentValue is DateTimeOffset value && value == default)
            {
                entry.Property(CreatedAt).CurrentValue = now;
            }
        }
    }
}
