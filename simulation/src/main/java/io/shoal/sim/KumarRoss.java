package io.shoal.sim;

/**
 * The fluid lower bound on distributing one file to N nodes (Kumar and Ross, "Peer-assisted file
 * distribution: the minimum distribution time", 2006): T >= max(F/u_s, F/d_min, N*F/(u_s + sum of
 * u_i)). No schedule of any protocol beats it; how close a run gets is the transfer's efficiency.
 */
final class KumarRoss {
  private KumarRoss() {}

  /**
   * @param fileBytes F
   * @param seedUploadBytesPerSecond u_s, the seeders' total upload
   * @param othersUploadBytesPerSecond the sum of the downloaders' uploads
   * @param minDownloadBytesPerSecond d_min
   * @param downloaders N
   */
  static double seconds(
      double fileBytes,
      double seedUploadBytesPerSecond,
      double othersUploadBytesPerSecond,
      double minDownloadBytesPerSecond,
      int downloaders) {
    double seed = fileBytes / seedUploadBytesPerSecond;
    double slowest = fileBytes / minDownloadBytesPerSecond;
    double aggregate =
        downloaders * fileBytes / (seedUploadBytesPerSecond + othersUploadBytesPerSecond);
    return Math.max(seed, Math.max(slowest, aggregate));
  }
}
