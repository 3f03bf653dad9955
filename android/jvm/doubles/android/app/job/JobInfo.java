package android.app.job;

/** Test double of android.app.job.JobInfo. */
public class JobInfo {
    public static final int NETWORK_TYPE_ANY = 1;

    final long periodMillis;
    final boolean persisted;

    JobInfo(long periodMillis, boolean persisted) {
        this.periodMillis = periodMillis;
        this.persisted = persisted;
    }

    public static final class Builder {
        private long period;
        private boolean persisted;

        public Builder(int jobId, android.content.ComponentName jobService) {}

        public Builder setPeriodic(long intervalMillis) {
            period = intervalMillis;
            return this;
        }

        public Builder setPersisted(boolean isPersisted) {
            persisted = isPersisted;
            return this;
        }

        public Builder setRequiredNetworkType(int networkType) {
            return this;
        }

        public JobInfo build() {
            return new JobInfo(period, persisted);
        }
    }
}
