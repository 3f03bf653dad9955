package android.app.job;

/** Test double of android.app.job.JobParameters (no public members are used). */
public class JobParameters {
    protected JobParameters() {}
}
