from fmfit.cli import main

main()
