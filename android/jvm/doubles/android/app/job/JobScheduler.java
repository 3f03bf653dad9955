package android.app.job;

/** Test double of android.app.job.JobScheduler. */
public abstract class JobScheduler {
    public static final int RESULT_SUCCESS = 1;

    public JobScheduler() {}

    public abstract int schedule(JobInfo job);

    public abstract JobInfo getPendingJob(int jobId);
}
