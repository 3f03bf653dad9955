import appwacht.doubles.FakeContext;
import appwacht.doubles.FakeDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import nl.appwacht.agent.NativeBridge;
import nl.appwacht.agent.NativeTestHooks;

/**
 * Drives the native library's reading of the device (the test-only hooks) through the framework
 * doubles, one scenario at a time, and writes what happened into a directory for the Rust test to
 * check (judging and acting are driven through the typed API, as in the app: AgentTest.kt):
 *   SCENARIO.result  what the native call answered
 *   SCENARIO.error   the exception it threw, as "class: message"
 *   SCENARIO.state   the fake device afterwards (suspended, hidden, installed, calls), as JSON
 *
 * Usage: java -Xcheck:jni -Djava.library.path=... -Dappwacht.sdk=N JniHarness OUTDIR INPUTDIR SCENARIO...
 */
public final class JniHarness {
    private static Path in;

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        in = Paths.get(args[1]);
        int passed = 0;
        int failed = 0;
        for (int i = 2; i < args.length; i++) {
            String scenario = args[i];
            FakeDevice.reset();
            try {
                String result = run(scenario);
                write(out.resolve(scenario + ".result"), result == null ? "null" : result);
                passed++;
            } catch (Throwable t) {
                write(out.resolve(scenario + ".error"), t.getClass().getName() + ": " + t.getMessage());
                failed++;
            }
            write(out.resolve(scenario + ".state"), state());
        }
        // The scenarios' checks are in the Rust test; this line says how many ran to the end.
        System.out.println(passed + " passed, " + failed + " failed");
    }

    private static String read(String name) throws IOException {
        return new String(Files.readAllBytes(in.resolve(name)), StandardCharsets.UTF_8);
    }

    private static byte[] cert(String name) throws IOException {
        return Files.readAllBytes(in.resolve(name));
    }

    private static byte[] fakeCert(int i) {
        return ("test certificate " + i).getBytes(StandardCharsets.UTF_8);
    }

    private static String run(String scenario) throws Exception {
        FakeContext ctx = new FakeContext();
        switch (scenario) {
            case "init":
                return NativeBridge.init(ctx);
            case "inventory-5000":
                for (int i = 0; i < 5000; i++) {
                    FakeDevice.App app = FakeDevice.add(String.format("com.example.bulk%04d", i), fakeCert(i));
                    app.system = i % 5 == 0;
                    app.versionCode = 1_000_000_000L + i;
                }
                return NativeTestHooks.readInventory(ctx, "{}");
            case "inventory-1000":
                for (int i = 0; i < 1000; i++) {
                    FakeDevice.add(String.format("com.example.bulk%04d", i), fakeCert(i));
                }
                return NativeTestHooks.readInventory(ctx, "{}");
            case "getter-throws":
                for (int i = 0; i < 10; i++) {
                    FakeDevice.add("com.example.app" + i, fakeCert(i));
                }
                FakeDevice.failing.add("com.example.app5");
                return NativeTestHooks.readInventory(ctx, "{}");
            case "signers": {
                FakeDevice.App two = FakeDevice.add("com.example.twosigners", fakeCert(1));
                two.signers.add(fakeCert(2));
                FakeDevice.App rotated = FakeDevice.add("com.example.rotated", fakeCert(9));
                rotated.pastSigners.add(cert("com.zhiliaoapp.musically.der"));
                FakeDevice.App updated = FakeDevice.add("com.vendor.updated", fakeCert(4));
                updated.system = true;
                updated.installer = null;
                FakeDevice.App old = FakeDevice.add("com.example.old", fakeCert(5));
                old.installed = false; // uninstalled with its data kept
                // Installed over adb with `pm install -i com.android.vending`: the installer of
                // record says Play, the platform recorded the shell as initiator.
                FakeDevice.add("com.example.adbinstalled", fakeCert(8)).initiating = "com.android.shell";
                FakeDevice.App hidden = FakeDevice.add("com.example.hidden", fakeCert(6));
                hidden.hidden = true;
                hidden.suspended = true;
                return NativeTestHooks.readInventory(ctx, "{\"device_id\": \"TEST-7\", \"groups\": [\"inspection\"]}");
            }
            case "changed-packages": {
                FakeDevice.changeSequence = 7;
                FakeDevice.changed.add("com.example.new");
                FakeDevice.changed.add("com.example.updated");
                String after3 = NativeTestHooks.changedPackages(ctx, 3);
                String after7 = NativeTestHooks.changedPackages(ctx, 7);
                return "[" + after3 + ", " + after7 + "]";
            }
            case "bench":
                return bench(ctx);
            case "mem-setup-1000":
            case "mem-setup-5000":
            case "mem-read-1000":
            case "mem-read-5000": {
                int n = Integer.parseInt(scenario.substring(scenario.length() - 4));
                bulk(n);
                if (scenario.startsWith("mem-read")) {
                    String json = NativeTestHooks.readInventory(ctx, "{}");
                    return "read " + json.length() + " characters";
                }
                return "set up " + n;
            }
            case "essentials":
                FakeDevice.add("com.vendor.launcher", fakeCert(11)).label = "Vendor Launcher";
                FakeDevice.add("com.example.nolabel", fakeCert(12));
                FakeDevice.homePackage = "com.vendor.launcher";
                FakeDevice.smsPackage = "com.vendor.messaging";
                FakeDevice.keyboard = "com.vendor.keyboard/.KeyboardService";
                FakeDevice.otherAdmins.add("com.vendor.findmydevice");
                return NativeTestHooks.readInventory(ctx, "{}");
            case "per-user": {
                // A work phone with a work profile (user 10): the agent as the profile's owner sees
                // the profile's apps only; the personal side is not its to judge.
                FakeDevice.add("com.example.both", fakeCert(20)).users.add(10);
                FakeDevice.add("com.example.personal", fakeCert(21));
                FakeDevice.App work = FakeDevice.add("com.example.workonly", fakeCert(22));
                work.users.clear();
                work.users.add(10);
                String personal = NativeTestHooks.readInventory(ctx, "{}");
                FakeDevice.currentUser = 10;
                String profile = NativeTestHooks.readInventory(ctx, "{}");
                return "[" + personal + ", " + profile + "]";
            }
            case "error-paths":
                return NativeTestHooks.errorPaths();
            case "panic":
                NativeTestHooks.panicForTest();
                return "no panic";
            default:
                throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }

    private static void bulk(int n) {
        for (int i = 0; i < n; i++) {
            FakeDevice.App app = FakeDevice.add(String.format("com.example.bulk%04d", i), fakeCert(i));
            app.system = i % 5 == 0;
            if (i % 4 == 0) {
                app.pastSigners.add(fakeCert(100_000 + i));
            }
        }
    }

    /** Median milliseconds of reading n packages through JNI, and of parsing the same inventory as JSON. */
    private static String bench(FakeContext ctx) {
        StringBuilder out = new StringBuilder("[");
        for (int n : new int[] {1000, 5000}) {
            FakeDevice.reset();
            bulk(n);
            String json = NativeTestHooks.readInventory(ctx, "{}"); // warm-up
            NativeTestHooks.parseInventory(json);
            double[] jni = new double[9];
            double[] parse = new double[9];
            for (int r = 0; r < jni.length; r++) {
                long t0 = System.nanoTime();
                json = NativeTestHooks.readInventory(ctx, "{}");
                long t1 = System.nanoTime();
                int count = NativeTestHooks.parseInventory(json);
                long t2 = System.nanoTime();
                if (count != n) {
                    throw new IllegalStateException("read " + count + " of " + n);
                }
                jni[r] = (t1 - t0) / 1e6;
                parse[r] = (t2 - t1) / 1e6;
            }
            java.util.Arrays.sort(jni);
            java.util.Arrays.sort(parse);
            out.append(n == 1000 ? "" : ", ").append(String.format(java.util.Locale.ROOT,
                    "{\"packages\": %d, \"jni_median_ms\": %.2f, \"json_median_ms\": %.2f, \"json_bytes\": %d}",
                    n, jni[jni.length / 2], parse[parse.length / 2], json.length()));
        }
        return out.append("]").toString();
    }

    private static String state() {
        StringBuilder s = new StringBuilder("{\"suspended\": ").append(list(filter(true, false)));
        s.append(", \"hidden\": ").append(list(filter(false, true)));
        s.append(", \"installed\": ").append(list(installed()));
        s.append(", \"calls\": ").append(list(FakeDevice.calls));
        return s.append("}").toString();
    }

    private static List<String> filter(boolean suspended, boolean hidden) {
        List<String> out = new ArrayList<>();
        for (FakeDevice.App app : FakeDevice.apps.values()) {
            if ((suspended && app.suspended) || (hidden && app.hidden)) {
                out.add(app.name);
            }
        }
        return out;
    }

    private static List<String> installed() {
        List<String> out = new ArrayList<>();
        for (FakeDevice.App app : FakeDevice.apps.values()) {
            if (app.installed) {
                out.add(app.name);
            }
        }
        return out;
    }

    private static String list(List<String> items) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(quote(items.get(i)));
        }
        return s.append("]").toString();
    }

    private static String quote(String v) {
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void write(Path path, String text) throws IOException {
        Files.write(path, text.getBytes(StandardCharsets.UTF_8));
    }
}
