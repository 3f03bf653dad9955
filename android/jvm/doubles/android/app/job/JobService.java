package android.app.job;

/** Test double of android.app.job.JobService. */
public abstract class JobService extends android.app.Service {
    public JobService() {}

    public final android.os.IBinder onBind(android.content.Intent intent) {
        return null;
    }

    public abstract boolean onStartJob(JobParameters params);

    public abstract boolean onStopJob(JobParameters params);

    /** The platform unbinds the job and, for a periodic one, keeps it scheduled for its next period. */
    public final void jobFinished(JobParameters params, boolean wantsReschedule) {
        appwacht.doubles.FakeDevice.jobFinished(this);
    }
}
