package appwacht.doubles;

import android.app.NotificationManager;
import android.app.admin.DevicePolicyManager;
import android.app.job.JobInfo;
import android.app.job.JobScheduler;
import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.content.RestrictionsManager;
import android.content.SharedPreferences;
import android.content.pm.PackageManager;
import java.io.File;
import java.util.HashMap;
import java.util.Map;

/** The application context of the agent on a fake device. */
public final class FakeContext extends Context {
    private final PackageManager pm = new FakePackageManager();
    private final DevicePolicyManager dpm = new DevicePolicyManager() {};
    private final NotificationManager notifications = new NotificationManager() {};
    private final RestrictionsManager restrictions = new RestrictionsManager() {};
    /**
     * Models the platform, not our wishes: {@code schedule} replaces a job with the same id and, "if
     * a job with the given ID is currently running, it will be stopped" (the reference page of
     * JobScheduler#schedule; AOSP {@code JobSchedulerService#scheduleAsPackage} cancels the old job
     * before adding the new one, and a replaced periodic job starts its period again).
     */
    private final JobScheduler scheduler = new JobScheduler() {
        @Override
        public int schedule(JobInfo job) {
            if (FakeDevice.runningJob != null && FakeDevice.runningJob == job.getId()) {
                FakeDevice.stoppedJobs.add(job.getId());
                FakeDevice.runningJob = null;
            }
            FakeDevice.jobs.removeIf(j -> j.getId() == job.getId());
            FakeDevice.jobs.add(job);
            FakeDevice.jobSchedules++;
            return JobScheduler.RESULT_SUCCESS;
        }

        @Override
        public JobInfo getPendingJob(int jobId) {
            for (JobInfo j : FakeDevice.jobs) {
                if (j.getId() == jobId) {
                    return j;
                }
            }
            return null;
        }
    };
    private final Map<String, Map<String, String>> preferences = new HashMap<>();
    private final File dataDir;

    public FakeContext() {
        try {
            dataDir = java.nio.file.Files.createTempDirectory("fake-context").toFile();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Context getApplicationContext() {
        return this;
    }

    @Override
    public PackageManager getPackageManager() {
        return pm;
    }

    @Override
    public String getPackageName() {
        return FakeDevice.SELF;
    }

    @Override
    public Object getSystemService(String name) {
        switch (name) {
            case Context.DEVICE_POLICY_SERVICE:
                return dpm;
            case Context.NOTIFICATION_SERVICE:
                return notifications;
            case Context.RESTRICTIONS_SERVICE:
                return restrictions;
            case Context.JOB_SCHEDULER_SERVICE:
                return scheduler;
            case Context.USER_SERVICE:
                return FakeDevice.construct(android.os.UserManager.class);
            default:
                return null;
        }
    }

    @Override
    public File getNoBackupFilesDir() {
        return dataDir;
    }

    @Override
    public SharedPreferences getSharedPreferences(String name, int mode) {
        Map<String, String> store = preferences.computeIfAbsent(name, k -> new HashMap<>());
        return new SharedPreferences() {
            @Override
            public String getString(String key, String defValue) {
                return store.getOrDefault(key, defValue);
            }

            @Override
            public Editor edit() {
                Map<String, String> pending = new HashMap<>();
                return new Editor() {
                    @Override
                    public Editor putString(String key, String value) {
                        pending.put(key, value);
                        return this;
                    }

                    @Override
                    public void apply() {
                        store.putAll(pending);
                    }
                };
            }
        };
    }

    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter) {
        FakeDevice.registered.add(receiver.getClass().getName());
        FakeDevice.receivers.add(new FakeDevice.Registered(receiver, filter, this));
        return null;
    }

    @Override
    public Intent registerReceiver(BroadcastReceiver receiver, IntentFilter filter, int flags) {
        FakeDevice.registered.add(receiver.getClass().getName() + " flags=" + flags);
        FakeDevice.receivers.add(new FakeDevice.Registered(receiver, filter, this));
        return null;
    }

    private final android.content.ContentResolver resolver = new android.content.ContentResolver() {};

    @Override
    public android.content.ContentResolver getContentResolver() {
        return resolver;
    }

    @Override
    public void unregisterReceiver(BroadcastReceiver receiver) {
        // As on the platform (ContextImpl#unregisterReceiver): a receiver that is not registered
        // is an IllegalArgumentException.
        if (!FakeDevice.receivers.removeIf(r -> r.receiver == receiver)) {
            throw new IllegalArgumentException("Receiver not registered: " + receiver);
        }
    }

    @Override
    public android.content.ComponentName startForegroundService(Intent service) {
        return FakeDevice.startForegroundService(this, service);
    }

    @Override
    public void startActivity(Intent intent) {}

    @Override
    public void startActivity(Intent intent, android.os.Bundle options) {}
}
