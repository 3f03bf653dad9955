package appwacht.doubles;

import android.content.pm.ApplicationInfo;
import android.content.pm.ChangedPackages;
import android.content.pm.PackageInfo;
import android.content.pm.PackageManager;
import android.content.pm.Signature;
import android.content.pm.SigningInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The state behind the framework doubles: installed apps, ownership, what was asked of them. */
public final class FakeDevice {
    private FakeDevice() {}

    /** The agent's own package. */
    public static final String SELF = "nl.appwacht.agent";

    /** One installed app. */
    public static final class App {
        public final String name;
        public long versionCode = 1;
        public String versionName = "1.0";
        public String installer = "com.android.vending";
        /** Who really performed the install; {@code null} means the installer of record did. */
        public String initiating;
        /** On whose behalf (unverified, as on the platform). */
        public String originating;
        public boolean system;
        public boolean suspended;
        public boolean hidden;
        public boolean installed = true;
        public final List<byte[]> signers = new ArrayList<>();
        public final List<byte[]> pastSigners = new ArrayList<>();
        /** The label on the home screen; none means the platform answers the package name. */
        public String label;
        /** The users (profiles) it is installed for: 0 is the device's owner, 10 a work profile. */
        public final Set<Integer> users = new HashSet<>(java.util.Collections.singleton(0));
        public long firstInstall = 1_790_000_000_000L;
        public long lastUpdate = 1_790_000_000_000L;

        public App(String name) {
            this.name = name;
        }
    }

    public static final Map<String, App> apps = new LinkedHashMap<>();
    /**
     * The user the agent runs as: 0 as device owner, the work profile's user as its profile owner.
     * PackageManager answers for the calling user only (AOSP ComputerEngine filters by userId): an
     * app installed in another profile is not installed here.
     */
    public static int currentUser;
    public static final Set<String> failing = new HashSet<>();
    public static final Set<String> unsuspendable = new HashSet<>();
    public static final Set<String> uninstallBlocked = new HashSet<>();
    public static final List<String> calls = new ArrayList<>();
    public static boolean deviceOwner = true;
    public static boolean profileOwner = false;
    /** Whether the agent's user (currentUser) is a work profile. */
    public static boolean workProfile;
    /**
     * The scopes the owner (the EMM) delegated, by package (DevicePolicyManager#setDelegatedScopes).
     */
    public static final Map<String, List<String>> delegations = new java.util.HashMap<>();

    /**
     * The EMM (device or profile owner) sets the agent's delegated scopes, replacing the old ones:
     * the platform then sends ACTION_APPLICATION_DELEGATION_SCOPES_CHANGED with the new scopes to
     * the delegate, with FLAG_RECEIVER_REGISTERED_ONLY (setDelegatedScopes reference): only a
     * receiver registered at run time by the live process hears it.
     */
    public static void delegate(String... scopes) {
        deviceOwner = false;
        profileOwner = false;
        List<String> list = new ArrayList<>(java.util.Arrays.asList(scopes));
        delegations.put(SELF, list);
        android.content.Intent intent = new android.content.Intent(android.app.admin.DevicePolicyManager.ACTION_APPLICATION_DELEGATION_SCOPES_CHANGED);
        putExtra(intent, android.app.admin.DevicePolicyManager.EXTRA_DELEGATION_SCOPES, new ArrayList<>(list));
        broadcast(intent);
    }

    public static final String PACKAGE_ACCESS_SCOPE = android.app.admin.DevicePolicyManager.DELEGATION_PACKAGE_ACCESS;
    public static final String BLOCK_UNINSTALL_SCOPE = android.app.admin.DevicePolicyManager.DELEGATION_BLOCK_UNINSTALL;

    /** Whether the agent holds this delegated scope. */
    public static boolean holds(String scope) {
        return delegations.getOrDefault(SELF, java.util.Collections.emptyList()).contains(scope);
    }
    public static String supportMessage;
    public static int changeSequence;
    public static final List<String> changed = new ArrayList<>();
    public static final List<Object> pendingResults = new ArrayList<>();
    public static final List<String> notifications = new ArrayList<>();
    public static final List<String> registered = new ArrayList<>();
    public static final List<android.app.job.JobInfo> jobs = new ArrayList<>();
    /** The id of the job the platform is running now (it started the process), if any. */
    public static Integer runningJob;
    /** Jobs the platform stopped because they were rescheduled while running. */
    public static final List<Integer> stoppedJobs = new ArrayList<>();
    /** How many times a job was (re)scheduled. */
    public static int jobSchedules;
    public static android.os.Bundle restrictions = new android.os.Bundle();

    public static android.content.pm.PackageInstaller newPackageInstaller() {
        return new android.content.pm.PackageInstaller() {};
    }

    /** What an IntentSender of a PendingIntent holds on the platform's side. */
    static final class Sender extends android.content.IntentSender {
        final android.content.Context context;
        final android.content.Intent intent;
        final boolean mutable;

        Sender(android.content.Context context, android.content.Intent intent, boolean mutable) {
            this.context = context;
            this.intent = intent;
            this.mutable = mutable;
        }
    }

    public static android.content.IntentSender newIntentSender(android.content.Context context, android.content.Intent intent, boolean mutable) {
        return new Sender(context, intent, mutable);
    }

    /** Automatic date and time (set by the owner). */
    public static boolean autoTime;
    /** User restrictions the agent (as admin) has set; another admin's are its own. */
    public static final Set<String> agentRestrictions = new java.util.TreeSet<>();
    /** User restrictions an EMM (another admin) has set. */
    public static final Set<String> emmRestrictions = new java.util.TreeSet<>();

    /** Whether a restriction is in force, whoever set it (the platform combines them). */
    public static boolean restricted(String key) {
        return agentRestrictions.contains(key) || emmRestrictions.contains(key);
    }

    /** Permission grant states set by the owner, by "package permission". */
    public static final Map<String, Integer> grants = new java.util.HashMap<>();
    /** The employee turned the agent's notifications off in Settings. */
    public static boolean notificationsOffByUser;
    /** Notifications the platform did not show (by tag). */
    public static final List<String> suppressedNotifications = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * Whether the agent may post: below Android 13 unless the employee turned them off; from 13
     * only with POST_NOTIFICATIONS granted (off for a new install; the owner may grant it to itself).
     */
    public static boolean notificationsEnabled() {
        if (notificationsOffByUser) {
            return false;
        }
        return android.os.Build.VERSION.SDK_INT < 33
                || grants.getOrDefault(SELF + " android.permission.POST_NOTIFICATIONS", 0) == 1;
    }

    /** Log lines (the Log double's), for tests that check what the app logged. */
    public static final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * PackageInstaller reports a result through the caller's IntentSender: the platform sends the
     * PendingIntent with a fill-in intent holding EXTRA_STATUS (and EXTRA_PACKAGE_NAME), and the
     * fill-in is applied only to a mutable PendingIntent (AOSP PendingIntentRecord#sendInner). An
     * explicit broadcast reaches its manifest receiver, so the receiver class is created and run.
     */
    public static void sendStatus(android.content.IntentSender sender, String packageName, int status, String message) {
        if (!(sender instanceof Sender)) {
            throw new IllegalArgumentException("not an IntentSender of a PendingIntent: " + sender);
        }
        installerResults.add(() -> deliverStatus((Sender) sender, packageName, status, message));
    }

    /**
     * Results PackageInstaller has not delivered yet. The uninstall runs on the package manager's
     * handler thread (AOSP PackageInstallerService#uninstall → DeletePackageHelper) and its status
     * arrives later as a broadcast, possibly to a process that has died since.
     */
    private static final List<Runnable> installerResults = new ArrayList<>();

    /** The platform delivers the queued installer results (see {@link #sendStatus}). */
    public static void deliverInstallerResults() {
        List<Runnable> due = new ArrayList<>(installerResults);
        installerResults.clear();
        due.forEach(Runnable::run);
    }

    /**
     * The app's Application class (the manifest's {@code <application android:name>}) and the
     * context a new process gets: what the platform starts when a component must run in a dead
     * process. Set by the first start through {@link #bindAdminService} or {@link #runJob}.
     */
    private static java.util.function.Supplier<android.app.Application> manifestApplication;
    private static android.content.Context processBase;

    /**
     * What a process keeps only in its memory, which a kill takes with it (the JVM's statics
     * would survive it): each test registers how its app's process-wide state is cleared.
     */
    public static final List<Runnable> processMemory = new ArrayList<>();

    private static void deliverStatus(Sender s, String packageName, int status, String message) {
        android.content.Intent delivered = new android.content.Intent(s.intent);
        if (s.mutable) {
            putExtra(delivered, android.content.pm.PackageInstaller.EXTRA_STATUS, status);
            putExtra(delivered, android.content.pm.PackageInstaller.EXTRA_STATUS_MESSAGE, message);
            putExtra(delivered, "android.content.pm.extra.PACKAGE_NAME", packageName);
        }
        Class<?> target = (Class<?>) field(android.content.Intent.class, delivered, "component");
        if (target == null) {
            return; // an implicit intent: no receiver of ours would get it
        }
        // A broadcast to a manifest receiver of a dead process starts it cold first
        // (ActivityManagerService#processNextBroadcast → startProcessLocked), so the receiver runs
        // in a process whose Application has been created, never in the old one's memory.
        android.content.Context context = s.context;
        if (!processAlive && manifestApplication != null) {
            startProcessIfDead(processBase, manifestApplication);
            context = processBase;
        }
        try {
            android.content.BroadcastReceiver r = (android.content.BroadcastReceiver) target.getDeclaredConstructor().newInstance();
            r.onReceive(context, delivered);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An intent naming its component or its package (what Android 14 calls explicit). */
    public static boolean isExplicit(android.content.Intent intent) {
        return field(android.content.Intent.class, intent, "component") != null
                || field(android.content.Intent.class, intent, "packageName") != null;
    }

    @SuppressWarnings("unchecked")
    private static void putExtra(android.content.Intent intent, String name, Object value) {
        ((Map<String, Object>) field(android.content.Intent.class, intent, "extras")).put(name, value);
    }

    private static Object field(Class<?> cls, Object o, String name) {
        try {
            java.lang.reflect.Field f = cls.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- The agent's process, as the platform runs it ----

    /** A receiver registered at run time by the live process, with its filter. */
    public static final class Registered {
        public final android.content.BroadcastReceiver receiver;
        final android.content.IntentFilter filter;
        final android.content.Context context;

        public Registered(android.content.BroadcastReceiver receiver, android.content.IntentFilter filter, android.content.Context context) {
            this.receiver = receiver;
            this.filter = filter;
            this.context = context;
        }

        boolean hears(String action) {
            return actionsOf(filter).contains(action);
        }
    }

    /** The run-time receivers of the agent's process (gone when it is killed). */
    public static final List<Registered> receivers = new ArrayList<>();
    /** Whether the agent's process is running. */
    public static boolean processAlive;
    /** How many times the process was started (cold starts). */
    public static int processStarts;
    /** The DeviceAdminService the system holds bound, if any. */
    public static android.app.Service boundAdminService;
    /** How many times the system bound it. */
    public static int adminServiceBinds;

    /**
     * The platform kills the cached agent's process (low memory, the freezer, an update): the
     * Application, its run-time receivers and the services it hosted go, without onDestroy (AOSP
     * ActivityManagerService#handleAppDiedLocked cleans up receivers and services of a dead
     * process). The JVM's statics survive, which a real kill would reset; what the platform owns
     * (receivers, bindings) does not.
     */
    public static void killProcess() {
        processAlive = false;
        receivers.clear();
        boundAdminService = null;
        foregroundService = null;
        processMemory.forEach(Runnable::run);
    }

    /**
     * The system binds the owner's DeviceAdminService, starting the process cold if it is dead
     * (Application.onCreate first, as ActivityThread#handleBindApplication does before any
     * component), then creating the service (onCreate). Models DeviceAdminServiceController: bound
     * when the owner is set and again after the process died.
     */
    public static android.app.Service bindAdminService(
            android.content.Context base,
            java.util.function.Supplier<android.app.Application> application,
            java.util.function.Supplier<android.app.Service> service) {
        if (!deviceOwner && !profileOwner) {
            throw new IllegalStateException("only a device or profile owner's DeviceAdminService is bound");
        }
        startProcessIfDead(base, application);
        if (boundAdminService == null) {
            android.app.Service s = service.get();
            attach(s, base);
            s.onCreate();
            boundAdminService = s;
            adminServiceBinds++;
        }
        return boundAdminService;
    }

    /**
     * A component is about to run in a dead process: the platform starts it cold, creating the
     * Application and calling its onCreate before any component (ActivityThread#handleBindApplication).
     */
    private static void startProcessIfDead(
            android.content.Context base, java.util.function.Supplier<android.app.Application> application) {
        manifestApplication = application;
        processBase = base;
        if (processAlive) {
            return;
        }
        android.app.Application app = application.get();
        attach(app, base);
        processAlive = true;
        processStarts++;
        app.onCreate();
    }

    // ---- Foreground services (how a delegate, which has no DeviceAdminService, stays alive) ----

    /**
     * Whether the platform lets the app start a foreground service now. From Android 12 an app in
     * the background may not (ActiveServices → ForegroundServiceStartNotAllowedException, an
     * IllegalStateException), except in the platform's exemptions: a visible activity, the few
     * seconds after BOOT_COMPLETED or MY_PACKAGE_REPLACED, an owner (Android 12 behaviour changes,
     * "Exemptions from background start restrictions"). Tests open this window with
     * {@link #openApp} and {@link #boot}.
     */
    public static boolean foregroundStartAllowed;
    /** The foreground service running, if any, and the type it started with. */
    public static android.app.Service foregroundService;
    public static int foregroundType = -1;
    /** Foreground services that did not call startForeground in time (the platform crashes the app). */
    public static final List<String> foregroundTimeouts = new ArrayList<>();

    /**
     * Context#startForegroundService: refused in the background (12+), otherwise the service is
     * created and started; it must call startForeground before the platform's deadline
     * (ForegroundServiceDidNotStartInTimeException), here: before onStartCommand returns.
     */
    public static android.content.ComponentName startForegroundService(android.content.Context base, android.content.Intent intent) {
        Class<?> target = (Class<?>) field(android.content.Intent.class, intent, "component");
        boolean owner = deviceOwner || profileOwner;
        if (android.os.Build.VERSION.SDK_INT >= 31 && !foregroundStartAllowed && !owner) {
            throw new IllegalStateException("startForegroundService() not allowed due to mAllowStartForeground false: service " + SELF + "/" + target.getName());
        }
        calls.add("startForegroundService(" + target.getSimpleName() + ")");
        if (foregroundService == null) {
            try {
                android.app.Service s = (android.app.Service) target.getDeclaredConstructor().newInstance();
                attach(s, base);
                s.onCreate();
                foregroundService = s;
                foregroundType = -1;
                s.onStartCommand(intent, 0, 1);
                if (foregroundType < 0) {
                    foregroundTimeouts.add(target.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return new android.content.ComponentName(SELF, target.getName());
    }

    /**
     * Service#startForeground: from Android 14 a service must start with a type its manifest
     * declares (Android 14 behaviour changes, "Foreground service types are required";
     * MissingForegroundServiceTypeException without one), and only an owner may use
     * systemExempted. The double cannot read the manifest: it takes the two-argument form, which
     * on 14+ uses the manifest's types, as a service that declared none, so the app must name its
     * type itself (as WatchService does).
     */
    public static void startedForeground(android.app.Service service, int id, android.app.Notification n, int type) {
        if (android.os.Build.VERSION.SDK_INT >= 34 && type == 0) {
            throw new IllegalStateException("Starting FGS without a type (targetSDK=34)");
        }
        if (type == android.content.pm.ServiceInfo.FOREGROUND_SERVICE_TYPE_SYSTEM_EXEMPTED && !(deviceOwner || profileOwner)) {
            throw new SecurityException("systemExempted is for device and profile owners");
        }
        foregroundType = type;
    }

    /** The employee opens the app: its activity is visible, so a foreground service may start. */
    public static void openApp(android.content.Context base, java.util.function.Supplier<android.app.Application> application) {
        foregroundStartAllowed = true;
        try {
            startProcessIfDead(base, application);
        } finally {
            foregroundStartAllowed = false;
        }
    }

    /**
     * The phone boots: every process is gone; BOOT_COMPLETED reaches the app's manifest receiver
     * (it is exempt from the implicit-broadcast limits), starting the process cold, and the app may
     * start a foreground service for a short while after it.
     */
    public static void boot(android.content.Context base, java.util.function.Supplier<android.app.Application> application, android.content.BroadcastReceiver bootReceiver) {
        killProcess();
        changeSequence = 0; // the platform's change sequence restarts at boot
        changed.clear();
        foregroundStartAllowed = true;
        try {
            startProcessIfDead(base, application);
            bootReceiver.onReceive(base, new android.content.Intent(android.content.Intent.ACTION_BOOT_COMPLETED));
        } finally {
            foregroundStartAllowed = false;
        }
    }

    /** Jobs that ran to their end (jobFinished), by id. */
    public static final List<Integer> finishedJobs = new ArrayList<>();
    private static final Map<android.app.job.JobService, Integer> runningServices = new java.util.HashMap<>();

    /**
     * The platform runs a scheduled job: JobServiceContext binds the job's service, starting the
     * process cold if it is dead (Application.onCreate runs first, while the job already counts as
     * running, so a reschedule there stops it: JobSchedulerService#scheduleAsPackage), then
     * onStartJob; a job the app stopped meanwhile never starts.
     */
    public static void runJob(
            int jobId,
            android.content.Context base,
            java.util.function.Supplier<android.app.Application> application,
            java.util.function.Supplier<android.app.job.JobService> service) {
        if (jobs.stream().noneMatch(j -> j.getId() == jobId)) {
            throw new IllegalStateException("job " + jobId + " is not scheduled");
        }
        runningJob = jobId;
        startProcessIfDead(base, application);
        if (runningJob == null || runningJob != jobId) {
            return; // stopped by a reschedule during the start: onStartJob never comes
        }
        android.app.job.JobService s = service.get();
        attach(s, base);
        s.onCreate();
        runningServices.put(s, jobId);
        s.onStartJob(construct(android.app.job.JobParameters.class));
    }

    /** Called by JobService#jobFinished. */
    public static void jobFinished(android.app.job.JobService service) {
        Integer id = runningServices.remove(service);
        if (id != null) {
            finishedJobs.add(id);
            if (runningJob != null && runningJob.equals(id)) {
                runningJob = null;
            }
        }
    }

    /**
     * An app is installed (or updated). The platform's change sequence moves on
     * (PackageManager#getChangedPackages), and ACTION_PACKAGE_ADDED reaches receivers registered at
     * run time by a live process only: since Android 8 manifest receivers do not get it (the
     * implicit-broadcast limits), and a dead process hears nothing.
     */
    public static App install(String name, byte[] cert) {
        App app = add(name, cert);
        app.users.clear();
        app.users.add(currentUser);
        changeSequence++;
        changed.add(name);
        broadcast(new android.content.Intent(android.content.Intent.ACTION_PACKAGE_ADDED, android.net.Uri.parse("package:" + name)));
        return app;
    }

    /** Delivers a broadcast to the run-time receivers that hear it, if the process lives. */
    public static void broadcast(android.content.Intent intent) {
        if (!processAlive) {
            return;
        }
        for (Registered r : new ArrayList<>(receivers)) {
            if (r.hears(intent.getAction())) {
                r.receiver.onReceive(r.context, intent);
            }
        }
    }

    /** An instance of a framework class whose constructor is not public API. */
    static <T> T construct(Class<T> cls) {
        try {
            java.lang.reflect.Constructor<T> c = cls.getDeclaredConstructor();
            c.setAccessible(true);
            return c.newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- The phone's own never-block set, and what the platform refuses to suspend ----

    /** The default launcher (HOME), the default SMS app, the keyboard (`package/.Service`). */
    public static String homePackage;
    public static String smsPackage;
    public static String keyboard;
    /** The dialer (TelecomManager, not read by the adapter) and the packages the platform requires. */
    public static String dialerPackage;
    public static final Set<String> requiredPackages = new HashSet<>();
    /** Device admins besides the agent. */
    public static final List<String> otherAdmins = new ArrayList<>();

    /**
     * Why the platform refuses to suspend a package, or null: AOSP
     * SuspendPackageHelper#canSuspendPackageForUser refuses active device admins, the default
     * launcher, the required installer, uninstaller, verifier and permission controller, the
     * default dialer, and packages whose uninstall is blocked; setPackagesSuspended returns them.
     */
    public static String suspendRefusal(String name) {
        if (name.equals(SELF) || otherAdmins.contains(name)) {
            return "an active device admin";
        }
        if (name.equals(homePackage)) {
            return "the default launcher";
        }
        if (name.equals(dialerPackage)) {
            return "the default dialer";
        }
        if (requiredPackages.contains(name)) {
            return "a required package";
        }
        if (uninstallBlocked.contains(name)) {
            return "uninstall blocked";
        }
        return null;
    }

    /** Gives a component its base context, as the platform does before onCreate. */
    static void attach(android.content.ContextWrapper component, android.content.Context base) {
        try {
            java.lang.reflect.Field f = android.content.ContextWrapper.class.getDeclaredField("base");
            f.setAccessible(true);
            f.set(component, base);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<String> actionsOf(android.content.IntentFilter filter) {
        try {
            java.lang.reflect.Field f = android.content.IntentFilter.class.getDeclaredField("actions");
            f.setAccessible(true);
            return (List<String>) f.get(filter);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void reset() {
        foregroundStartAllowed = false;
        foregroundService = null;
        foregroundType = -1;
        foregroundTimeouts.clear();
        workProfile = false;
        delegations.clear();
        installerResults.clear();
        manifestApplication = null;
        processBase = null;
        processMemory.clear();
        finishedJobs.clear();
        runningServices.clear();
        currentUser = 0;
        autoTime = false;
        agentRestrictions.clear();
        emmRestrictions.clear();
        homePackage = null;
        smsPackage = null;
        keyboard = null;
        dialerPackage = null;
        requiredPackages.clear();
        otherAdmins.clear();
        log.clear();
        grants.clear();
        notificationsOffByUser = false;
        suppressedNotifications.clear();
        receivers.clear();
        processAlive = false;
        processStarts = 0;
        boundAdminService = null;
        adminServiceBinds = 0;
        apps.clear();
        failing.clear();
        unsuspendable.clear();
        uninstallBlocked.clear();
        calls.clear();
        deviceOwner = true;
        profileOwner = false;
        supportMessage = null;
        changeSequence = 0;
        changed.clear();
        pendingResults.clear();
        notifications.clear();
        registered.clear();
        jobs.clear();
        runningJob = null;
        stoppedJobs.clear();
        jobSchedules = 0;
        restrictions = new android.os.Bundle();
    }

    public static App add(String name, byte[] cert) {
        App app = new App(name);
        if (cert != null) {
            app.signers.add(cert);
        }
        apps.put(name, app);
        return app;
    }

    public static void requireSdk(int level, String member) {
        if (android.os.Build.VERSION.SDK_INT < level) {
            throw new NoSuchMethodError(member + " needs SDK " + level + "; this device runs " + android.os.Build.VERSION.SDK_INT);
        }
        calls.add(member);
    }

    public static App app(String name) throws PackageManager.NameNotFoundException {
        App app = apps.get(name);
        if (app == null || !installedHere(app)) {
            throw new PackageManager.NameNotFoundException(name);
        }
        return app;
    }

    public static boolean installedHere(App app) {
        return app.installed && app.users.contains(currentUser);
    }

    /** What getInstalledPackages answers for these flags. */
    public static List<PackageInfo> packages(int flags) {
        List<PackageInfo> out = new ArrayList<>();
        for (App app : apps.values()) {
            PackageInfo info = info(app, flags);
            if (info != null) {
                out.add(info);
            }
        }
        return out;
    }

    public static PackageInfo packageInfo(String name, int flags) throws PackageManager.NameNotFoundException {
        PackageInfo info = info(app(name), flags);
        if (info == null) {
            throw new PackageManager.NameNotFoundException(name);
        }
        return info;
    }

    private static PackageInfo info(App app, int flags) {
        boolean listUninstalled = (flags & PackageManager.MATCH_UNINSTALLED_PACKAGES) != 0;
        if (!app.users.contains(currentUser)) {
            return null; // another profile's app: not this user's at all
        }
        if ((app.hidden || !app.installed) && !listUninstalled) {
            return null; // as on the platform: hidden apps look uninstalled unless asked for
        }
        PackageInfo info = new PackageInfo();
        info.packageName = app.name;
        info.versionName = app.versionName;
        info.setLongVersionCode(app.versionCode);
        info.firstInstallTime = app.firstInstall;
        info.lastUpdateTime = app.lastUpdate;
        ApplicationInfo ai = new ApplicationInfo();
        ai.packageName = app.name;
        ai.flags = (app.system ? ApplicationInfo.FLAG_SYSTEM : 0)
                | (app.installed ? ApplicationInfo.FLAG_INSTALLED : 0)
                | (app.suspended ? ApplicationInfo.FLAG_SUSPENDED : 0);
        info.applicationInfo = ai;
        if ((flags & PackageManager.GET_SIGNING_CERTIFICATES) != 0) {
            List<Signature> now = new ArrayList<>();
            for (byte[] c : app.signers) {
                now.add(new Signature(c));
            }
            List<Signature> past = new ArrayList<>();
            for (byte[] c : app.pastSigners) {
                past.add(new Signature(c));
            }
            info.signingInfo = new SigningInfo(3, now, null, past);
        }
        return info;
    }

    public static ChangedPackages changedSince(int sequence) {
        if (sequence >= changeSequence) {
            return null;
        }
        return new ChangedPackages(changeSequence, changed);
    }
}
