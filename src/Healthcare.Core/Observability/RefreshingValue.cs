namespace Healthcare.Core.Observability;

/// <summary>
/// A value that is expensive to read (a database count) shared by many frequent readers, such as metric scrapes:
/// read at most once per <c>maxAge</c>, one read at a time. <see cref="Latest"/> never waits; it answers the last
/// value (nothing once that is four times too old, so a broken source is not reported as a steady value) and
/// starts a refresh when due.
/// </summary>
public sealed class RefreshingValue<T>(TimeSpan maxAge, Func<CancellationToken, Task<T>> read, TimeProvider? clock = null)
    where T : class
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private Entry? _last;
    private Task<T>? _pending;

    public TimeSpan MaxAge => maxAge;

    public T? Latest()
    {
        var last = _last;
        var age = last is null ? TimeSpan.MaxValue : _clock.GetUtcNow() - last.At;
        if (age >= maxAge)
        {
            // Observed here so that a failed read (the database is down) is not an unobserved task exception.
            _ = Refresh().ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }

        return age < maxAge * 4 ? last!.Value : null;
    }

    public async Task<T> ReadAsync(CancellationToken cancellationToken = default)
    {
        var last = _last;
        return last is not null && _clock.GetUtcNow() - last.At < maxAge
            ? last.Value
            : await Refresh().WaitAsync(cancellationToken);
    }

    private Task<T> Refresh()
    {
        lock (_gate)
        {
            if (_pending is not { IsCompleted: false })
            {
                _pending = ReadAndKeepAsync();
            }

            return _pending;
        }
    }

    private async Task<T> ReadAndKeepAsync()
    {
        await Task.Yield();
        var value = await read(CancellationToken.None);
        _last = new Entry(value, _clock.GetUtcNow());
        return value;
    }

    private sealed record Entry(T Value, DateTimeOffset At);
}
