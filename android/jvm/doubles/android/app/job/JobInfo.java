package android.app.job;

/** Test double of android.app.job.JobInfo. */
public class JobInfo {
    public static final int NETWORK_TYPE_ANY = 1;

    final int id;
    final long periodMillis;
    final boolean persisted;

    JobInfo(int id, long periodMillis, boolean persisted) {
        this.id = id;
        this.periodMillis = periodMillis;
        this.persisted = persisted;
    }

    public int getId() {
        return id;
    }

    public long getIntervalMillis() {
        return periodMillis;
    }

    public boolean isPersisted() {
        return persisted;
    }

    public static final class Builder {
        private final int id;
        private long period;
        private boolean persisted;

        public Builder(int jobId, android.content.ComponentName jobService) {
            id = jobId;
        }

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
            return new JobInfo(id, period, persisted);
        }
    }
}
