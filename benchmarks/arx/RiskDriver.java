/*
 * Population-uniqueness driver for ARX (https://arx.deidentifier.org), used by
 * benchmarks/bench_record_risk.py.  Not part of sklearn_anon; compiled there
 * against ARX built by benchmarks/arx/build.sh.
 *
 *   java -cp <classpath> RiskDriver SAMPLE.csv SAMPLING_FRACTION QI,QI,... RUNS
 *
 * SAMPLE.csv: ';'-separated with a header.  Every column named in QI,... is a
 * quasi-identifier.  Prints one JSON line: the fractions of population uniques
 * ARX estimates with the Pitman, Zayatz and SNB models and Dankar's decision
 * rule (RiskModelPopulationUniqueness.getFractionOfUniqueTuples*), the sample
 * uniqueness, and the best wall time in ms over RUNS runs of the estimation
 * (after one warm-up run).
 */

import java.io.BufferedReader;
import java.io.FileReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.deidentifier.arx.ARXPopulationModel;
import org.deidentifier.arx.Data;
import org.deidentifier.arx.DataHandle;
import org.deidentifier.arx.risk.RiskEstimateBuilder;
import org.deidentifier.arx.risk.RiskModelPopulationUniqueness;

public class RiskDriver {

    public static void main(String[] args) throws Exception {
        String path = args[0];
        double fraction = Double.parseDouble(args[1]);
        Set<String> qis = new HashSet<>(Arrays.asList(args[2].split(",")));
        int runs = Integer.parseInt(args[3]);
        List<String[]> all = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new FileReader(path))) {
            String line;
            while ((line = in.readLine()) != null) {
                all.add(line.split(";", -1));
            }
        }
        Data data = Data.create(all);
        DataHandle handle = data.getHandle();
        int n = handle.getNumRows();
        double pitman = Double.NaN, zayatz = Double.NaN, snb = Double.NaN, dankar = Double.NaN;
        double sampleUniques = Double.NaN;
        long best = Long.MAX_VALUE;
        for (int r = 0; r <= runs; r++) {
            long start = System.nanoTime();
            RiskEstimateBuilder builder = handle.getRiskEstimator(ARXPopulationModel.create(n, fraction), qis);
            RiskModelPopulationUniqueness u = builder.getPopulationBasedUniquenessRisk();
            pitman = u.getFractionOfUniqueTuplesPitman();
            zayatz = u.getFractionOfUniqueTuplesZayatz();
            snb = u.getFractionOfUniqueTuplesSNB();
            dankar = u.getFractionOfUniqueTuplesDankar();
            sampleUniques = builder.getSampleBasedUniquenessRisk().getFractionOfUniqueRecords();
            long took = System.nanoTime() - start;
            if (r > 0) {
                best = Math.min(best, took);
            }
        }
        System.out.println("{\"n\": " + n + ", \"pitman\": " + num(pitman) + ", \"zayatz\": " + num(zayatz)
                           + ", \"snb\": " + num(snb) + ", \"dankar\": " + num(dankar)
                           + ", \"sample_uniqueness\": " + num(sampleUniques)
                           + ", \"best_ms\": " + (best / 1e6) + "}");
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : Double.toString(v);
    }
}
