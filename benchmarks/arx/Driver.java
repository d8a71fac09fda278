/*
 * Benchmark driver for ARX (https://arx.deidentifier.org), used by
 * benchmarks/bench_arx.py.  Not part of sklearn_anon; compiled by
 * benchmarks/arx/build.sh against ARX built from source.
 *
 *   java -cp <classpath from build.sh> Driver --data adult.csv --hierarchies DIR \
 *        [--prefix adult_hierarchy_] [--runs 5] [--warmup 1] [--out-dir DIR] \
 *        [--age-integer] SETTING...
 *
 * A SETTING is "full:KEY=VALUE,..." (optimal full-domain generalization,
 * ARX's lattice search) or "local:KEY=VALUE,..." (ARX's local recoding:
 * suppression limit 1, then result.optimizeIterativeFast(output, records),
 * as in ARX's Example54).  Keys:
 *   k=INT          k-anonymity
 *   l=INT          distinct l-diversity on `sensitive`
 *   c=FLOAT        with l: recursive (c,l)-diversity (RecursiveCLDiversity) instead
 *   t=FLOAT        t-closeness with equal ground distance on `sensitive`
 *   tdist=hierarchical  with t: HierarchicalDistanceTCloseness along the hierarchy
 *                  file of `sensitive` (PREFIX<sensitive>.csv)
 *   sensitive=COL  the sensitive attribute (not a quasi-identifier)
 *   supp=FLOAT     suppression limit (default 0 for full, 1 for local)
 *   gs=FLOAT       gs-factor of the search metric Metric.createLossMetric(gs), default 0
 *   records=FLOAT  local: share of records optimized per step (default 0.01)
 * Every column of the CSV except `sensitive` is a quasi-identifier, on the
 * hierarchy file PREFIX<column>.csv (';'-separated, no header).
 *
 * Output: one JSON object per setting on stdout, one line each:
 *   time_ms (median wall time of `runs` timed runs after `warmup` untimed
 *   ones: anonymize, plus optimizeIterativeFast for local), cpu_ms (median
 *   process CPU time of the same runs, all JVM threads), times_ms,
 *   granularity (ARX's reported granularity loss:
 *   1 - StatisticsQuality.getGranularity().getArithmeticMean(false)),
 *   granularity_check (the same loss recomputed here from the output cells),
 *   per_cell_loss ((leaves - 1) / (domain - 1) per cell, suppressed 1, mean
 *   over all cells; domain = rows of the hierarchy), column_shares,
 *   discernibility (sum of squared class sizes, a suppressed record costs n),
 *   arx_discernibility (what ARX's quality statistics compute),
 *   classes, arx_classes, suppressed, levels (full-domain: the chosen level
 *   per quasi-identifier, in `qis` order), output_csv (with --out-dir: the
 *   last run's output table, ';'-separated, with header).
 */

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deidentifier.arx.ARXAnonymizer;
import org.deidentifier.arx.ARXConfiguration;
import org.deidentifier.arx.ARXLattice.ARXNode;
import org.deidentifier.arx.ARXResult;
import org.deidentifier.arx.AttributeType;
import org.deidentifier.arx.AttributeType.Hierarchy;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.DataHandle;
import org.deidentifier.arx.DataType;
import org.deidentifier.arx.aggregates.StatisticsEquivalenceClasses;
import org.deidentifier.arx.aggregates.StatisticsQuality;
import org.deidentifier.arx.aggregates.quality.QualityMeasureRowOriented;
import org.deidentifier.arx.criteria.DistinctLDiversity;
import org.deidentifier.arx.criteria.EqualDistanceTCloseness;
import org.deidentifier.arx.criteria.HierarchicalDistanceTCloseness;
import org.deidentifier.arx.criteria.RecursiveCLDiversity;
import org.deidentifier.arx.criteria.KAnonymity;
import org.deidentifier.arx.metric.Metric;

public class Driver {

    /** The table: header and rows */
    private static String[] header;
    private static List<String[]> rows;
    /** Hierarchy table per column */
    private static final Map<String, String[][]> HIERARCHIES = new HashMap<>();

    public static void main(String[] args) throws Exception {
        String dataPath = null, hierDir = null, prefix = "adult_hierarchy_", outDir = null;
        int runs = 5, warmup = 1;
        boolean ageInteger = false;
        List<String> settings = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data": dataPath = args[++i]; break;
                case "--hierarchies": hierDir = args[++i]; break;
                case "--prefix": prefix = args[++i]; break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--out-dir": outDir = args[++i]; break;
                case "--age-integer": ageInteger = true; break;
                default:
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    settings.add(args[i]);
            }
        }
        if (dataPath == null || hierDir == null || settings.isEmpty()) {
            System.err.println("usage: Driver --data CSV --hierarchies DIR [--runs N] [--warmup N] "
                               + "[--out-dir DIR] SETTING...");
            System.exit(2);
        }
        readData(new File(dataPath));
        for (String column : header) {
            File f = new File(hierDir, prefix + column + ".csv");
            if (f.exists()) {
                HIERARCHIES.put(column, readTable(f));
            }
        }
        for (int s = 0; s < settings.size(); s++) {
            String spec = settings.get(s);
            String out = outDir == null ? null : new File(outDir, "arx_" + s + ".csv").getPath();
            System.out.println(run(spec, runs, warmup, ageInteger, out));
            System.out.flush();
        }
    }

    // -- one setting ------------------------------------------------------------
    private static String run(String spec, int runs, int warmup, boolean ageInteger, String outCsv)
            throws Exception {
        int colon = spec.indexOf(':');
        String mode = colon < 0 ? spec : spec.substring(0, colon);
        if (!mode.equals("full") && !mode.equals("local")) {
            throw new IllegalArgumentException("setting must start with full: or local:, got " + spec);
        }
        Map<String, String> p = new HashMap<>();
        if (colon >= 0 && colon + 1 < spec.length()) {
            for (String kv : spec.substring(colon + 1).split(",")) {
                String[] parts = kv.split("=", 2);
                p.put(parts[0].trim(), parts.length > 1 ? parts[1].trim() : "");
            }
        }
        boolean local = mode.equals("local");
        String sensitive = p.get("sensitive");
        List<String> qis = new ArrayList<>();
        for (String c : header) {
            if (!c.equals(sensitive)) {
                qis.add(c);
            }
        }
        for (String q : qis) {
            if (!HIERARCHIES.containsKey(q)) {
                throw new IllegalArgumentException("no hierarchy file for column " + q);
            }
        }

        long[] wall = new long[runs];
        long[] cpu = new long[runs];
        ARXResult result = null;
        DataHandle output = null;
        for (int r = -warmup; r < runs; r++) {
            if (result != null) {
                result.getInput().release();  // frees the previous run
            }
            Data data = makeData(qis, sensitive, ageInteger);
            ARXConfiguration config = makeConfig(p, local, sensitive);
            ARXAnonymizer anonymizer = new ARXAnonymizer();
            long c0 = processCpu();
            long t0 = System.nanoTime();
            result = anonymizer.anonymize(data, config);
            output = result.getOutput();
            if (local && output != null) {
                result.optimizeIterativeFast(output, Double.parseDouble(p.getOrDefault("records", "0.01")));
            }
            long t1 = System.nanoTime();
            long c1 = processCpu();
            if (r >= 0) {
                wall[r] = t1 - t0;
                cpu[r] = c1 - c0;
            }
        }

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("setting", spec);
        o.put("mode", mode);
        o.put("qis", qis);
        o.put("runs", runs);
        o.put("warmup", warmup);
        o.put("time_ms", median(wall) / 1e6);
        o.put("cpu_ms", median(cpu) / 1e6);
        double[] times = new double[runs];
        for (int i = 0; i < runs; i++) {
            times[i] = wall[i] / 1e6;
        }
        o.put("times_ms", times);
        if (output == null) {
            o.put("error", "no solution");
            return json(o);
        }
        ARXNode optimum = result.getGlobalOptimum();
        if (!local && optimum != null) {
            o.put("levels", optimum.getTransformation());
            o.put("levels_qis", optimum.getQuasiIdentifyingAttributes());
            o.put("search_loss", String.valueOf(optimum.getHighestScore()));
        }
        measure(output, qis, o);
        if (outCsv != null) {
            output.save(new File(outCsv), ';');
            o.put("output_csv", new File(outCsv).getAbsolutePath());
        }
        return json(o);
    }

    private static Data makeData(List<String> qis, String sensitive, boolean ageInteger) {
        List<String[]> all = new ArrayList<>(rows.size() + 1);
        all.add(header);
        all.addAll(rows);
        Data data = Data.create(all);
        for (String q : qis) {
            data.getDefinition().setAttributeType(q, Hierarchy.create(HIERARCHIES.get(q)));
        }
        if (sensitive != null) {
            data.getDefinition().setAttributeType(sensitive, AttributeType.SENSITIVE_ATTRIBUTE);
        }
        if (ageInteger && qis.contains("age")) {
            data.getDefinition().setDataType("age", DataType.INTEGER);
        }
        return data;
    }

    private static ARXConfiguration makeConfig(Map<String, String> p, boolean local, String sensitive) {
        ARXConfiguration config = ARXConfiguration.create();
        if (p.containsKey("k")) {
            config.addPrivacyModel(new KAnonymity(Integer.parseInt(p.get("k"))));
        }
        if (p.containsKey("l")) {
            if (p.containsKey("c")) {  // recursive (c,l)-diversity
                config.addPrivacyModel(new RecursiveCLDiversity(sensitive, Double.parseDouble(p.get("c")),
                                                                Integer.parseInt(p.get("l"))));
            } else {
                config.addPrivacyModel(new DistinctLDiversity(sensitive, Integer.parseInt(p.get("l"))));
            }
        }
        if (p.containsKey("t")) {
            double t = Double.parseDouble(p.get("t"));
            if ("hierarchical".equals(p.get("tdist"))) {  // along the sensitive column's hierarchy file
                config.addPrivacyModel(new HierarchicalDistanceTCloseness(
                        sensitive, t, Hierarchy.create(HIERARCHIES.get(sensitive))));
            } else {
                config.addPrivacyModel(new EqualDistanceTCloseness(sensitive, t));
            }
        }
        config.setSuppressionLimit(Double.parseDouble(p.getOrDefault("supp", local ? "1" : "0")));
        config.setQualityModel(Metric.createLossMetric(Double.parseDouble(p.getOrDefault("gs", "0"))));
        return config;
    }

    // -- figures of one output ---------------------------------------------------
    private static void measure(DataHandle output, List<String> qis, Map<String, Object> o) throws Exception {
        int n = output.getNumRows();
        int[] cols = new int[qis.size()];
        for (int j = 0; j < cols.length; j++) {
            cols[j] = output.getColumnIndexOf(qis.get(j));
        }
        // ARX's own statistics
        StatisticsQuality quality = output.getStatistics().getQualityStatistics();
        o.put("granularity", 1d - quality.getGranularity().getArithmeticMean(false));
        o.put("arx_discernibility", rawResult(quality.getDiscernibility()));
        StatisticsEquivalenceClasses ec = output.getStatistics().getEquivalenceClassStatistics();
        o.put("arx_classes", ec.getNumberOfEquivalenceClasses());

        // recomputed from the cells: shares along the hierarchies
        double[] share = new double[cols.length];
        double perCell = 0d;
        double low = 0d;
        Map<String, Integer> classes = new HashMap<>();
        int suppressed = 0;
        List<Map<String, Double>> shareMaps = new ArrayList<>();
        for (String q : qis) {
            shareMaps.add(leafCounts(HIERARCHIES.get(q)));
        }
        for (int row = 0; row < n; row++) {
            boolean supp = output.isSuppressed(row);
            StringBuilder key = new StringBuilder();
            for (int j = 0; j < cols.length; j++) {
                String v = output.getValue(row, cols[j]);
                double domain = HIERARCHIES.get(qis.get(j)).length;
                double leaves;
                if (supp) {
                    leaves = domain;
                } else {
                    Double c = shareMaps.get(j).get(v);
                    if (c == null) {
                        throw new IllegalStateException("label not in hierarchy of " + qis.get(j));
                    }
                    leaves = c;
                }
                share[j] += leaves / domain;
                perCell += domain > 1 ? (leaves - 1d) / (domain - 1d) : (supp ? 1d : 0d);
                key.append(v).append('\u0000');
            }
            if (supp) {
                suppressed++;
            } else {
                classes.merge(key.toString(), 1, Integer::sum);
            }
        }
        Map<String, Double> columnShares = new LinkedHashMap<>();
        double raw = 0d;
        for (int j = 0; j < cols.length; j++) {
            share[j] /= n;
            raw += share[j];
            low += 1d / HIERARCHIES.get(qis.get(j)).length;
            columnShares.put(qis.get(j), share[j]);
        }
        raw /= cols.length;
        low /= cols.length;
        double disc = (double) suppressed * n;
        for (int size : classes.values()) {
            disc += (double) size * size;
        }
        o.put("granularity_check", (raw - low) / (1d - low));
        o.put("per_cell_loss", perCell / ((double) n * cols.length));
        o.put("column_shares", columnShares);
        o.put("discernibility", disc);
        o.put("classes", classes.size());
        o.put("suppressed", suppressed);
        o.put("rows", n);
    }

    /** Number of leaves under every label of a hierarchy (a leaf: 1). */
    private static Map<String, Double> leafCounts(String[][] h) {
        Map<String, Double> counts = new HashMap<>();
        for (int level = h[0].length - 1; level >= 1; level--) {
            Map<String, Double> temp = new HashMap<>();
            for (String[] row : h) {
                temp.merge(row[level], 1d, Double::sum);
            }
            counts.putAll(temp);
        }
        for (String[] row : h) {
            counts.put(row[0], 1d);
        }
        return counts;
    }

    private static double rawResult(QualityMeasureRowOriented m) {
        try {
            Field f = QualityMeasureRowOriented.class.getDeclaredField("result");
            f.setAccessible(true);
            return f.getDouble(m);
        } catch (ReflectiveOperationException e) {
            return Double.NaN;
        }
    }

    // -- input ------------------------------------------------------------------
    private static void readData(File f) throws IOException {
        String[][] table = readTable(f);
        header = table[0];
        rows = new ArrayList<>(Arrays.asList(table).subList(1, table.length));
    }

    private static String[][] readTable(File f) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(f.toPath(), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (!line.isEmpty()) {
                    out.add(line.split(";", -1));
                }
            }
        }
        return out.toArray(new String[0][]);
    }

    // -- small helpers -------------------------------------------------------------
    private static long processCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2d;
    }

    private static String json(Object v) {
        if (v == null) {
            return "null";
        } else if (v instanceof String) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : ((String) v).toCharArray()) {
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
            return b.append('"').toString();
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? Double.toString(d) : "null";
        } else if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        } else if (v instanceof Map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(json(String.valueOf(e.getKey()))).append(": ").append(json(e.getValue()));
            }
            return b.append('}').toString();
        } else if (v instanceof List) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : (List<?>) v) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(json(x));
            }
            return b.append(']').toString();
        } else if (v instanceof int[]) {
            List<Object> l = new ArrayList<>();
            for (int x : (int[]) v) {
                l.add(x);
            }
            return json(l);
        } else if (v instanceof double[]) {
            List<Object> l = new ArrayList<>();
            for (double x : (double[]) v) {
                l.add(x);
            }
            return json(l);
        } else if (v instanceof String[]) {
            return json(Arrays.asList((String[]) v));
        }
        return json(v.toString());
    }
}
